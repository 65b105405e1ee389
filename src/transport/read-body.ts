import { ScpResponseError, ScpTimeoutError } from "../errors/call.js";
import { timerDelay } from "../validate.js";
import type { CallContext, Outgoing, Send } from "./call-context.js";
import { toNetworkError } from "./network-error.js";

/** Statuses whose Response may not carry a body. @internal */
export const NULL_BODY = new Set([101, 103, 204, 205, 304]);

class TooLarge extends Error {}

/** Settles with `work`, or rejects with `onTimeout()` when the attempt's deadline passes first. */
async function raceDeadline<T>(work: Promise<T>, ctx: CallContext, onTimeout: () => Error): Promise<T> {
  if (ctx.deadline === undefined) {
    return work;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timerDelay(Math.max(0, (ctx.deadline as number) - Date.now())));
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a body whole against the attempt's deadline (its own timer: a stalled body must not depend on an abort
 * signal reaching it), refusing more than `maxResponseBytes`. A declared length (checked against the cap before)
 * is read in one go; a body of unknown length chunk by chunk, so an endless one is cut at the cap.
 */
async function readAll(response: Response, ctx: CallContext, onTimeout: () => Error): Promise<Uint8Array> {
  if (response.headers.get("content-length") !== null) {
    return new Uint8Array(await raceDeadline(response.arrayBuffer(), ctx, onTimeout));
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await raceDeadline(reader.read(), ctx, onTimeout);
      if (next.done) {
        break;
      }
      total += next.value.byteLength;
      if (total > ctx.policy.maxResponseBytes) {
        throw new TooLarge();
      }
      chunks.push(next.value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/**
 * Refuses a success body that is not JSON (a login page from a proxy, say). A body that says it is JSON is
 * parsed once, by the caller; only other content types are parsed here first.
 */
function checkJson(request: Outgoing, ctx: CallContext, response: Response, bytes: Uint8Array): void {
  const type = response.headers.get("content-type") ?? "no content type";
  if (/json/i.test(type)) {
    return;
  }
  try {
    JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ScpResponseError({
      method: request.method,
      path: request.url.pathname,
      status: response.status,
      requestId: ctx.record.requestId,
      issues: [{ path: [], message: `success body is not JSON (${type})` }],
    });
  }
}

function tooLarge(request: Outgoing, ctx: CallContext, status: number): ScpResponseError {
  return new ScpResponseError({
    method: request.method,
    path: request.url.pathname,
    status,
    requestId: ctx.record.requestId,
    issues: [{ path: [], message: `body larger than ${ctx.policy.maxResponseBytes} bytes; not read` }],
  });
}

/**
 * Reads a JSON response whole inside the attempt, so its time counts against the attempt's limit, a stalled body
 * times out and a failed read can be retried; refuses a body over `maxResponseBytes` unread. Keeps the JSON body
 * of a 204, which SCP documents for deletes, by passing it on as a 200. Streamed responses pass through unread.
 * @internal
 */
export function readBody(next: Send): Send {
  return async (request, ctx) => {
    const response = await next(request, ctx);
    if ((ctx.policy.streamResponse && response.ok) || response.body === null) {
      return response;
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > ctx.policy.maxResponseBytes) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(request, ctx, response.status);
    }
    const timeoutMs = ctx.policy.timeoutMs;
    const onTimeout = () =>
      new ScpTimeoutError({
        method: request.method,
        path: request.url.pathname,
        timeoutMs,
        requestId: ctx.record.requestId,
      });
    let bytes: Uint8Array;
    try {
      bytes = await readAll(response, ctx, onTimeout);
    } catch (error) {
      if (ctx.signal?.aborted && !(error instanceof ScpTimeoutError)) {
        throw ctx.signal.reason;
      }
      if (error instanceof TooLarge) {
        throw tooLarge(request, ctx, response.status);
      }
      if (error instanceof ScpTimeoutError) {
        throw error;
      }
      // The answer was cut after its headers: SCP got the request, so for a POST/PUT the outcome is unknown.
      throw toNetworkError(request, error, ctx.record, "unknown");
    }
    if (response.ok && bytes.length > 0) {
      checkJson(request, ctx, response, bytes);
    }
    const status = response.status === 204 && bytes.length > 0 ? 200 : response.status;
    return new Response(NULL_BODY.has(status) ? null : (bytes as Uint8Array<ArrayBuffer>), {
      status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
