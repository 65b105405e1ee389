import { ScpResponseError, ScpTimeoutError } from "../errors/call.js";
import { timerDelay } from "../validate.js";
import type { CallContext, Outgoing } from "./call-context.js";
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

/** A response whose body is still to be read: from fetch (a web stream) or from undici (a Node stream). @internal */
export interface Unread {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** Null when the answer has no body. */
  readonly body: BodyReader | null;
}

/** Reads a body a chunk at a time; `cancel` stops it at once, a pending read included. @internal */
export interface BodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<void>;
}

/**
 * Reads a body whole against the attempt's deadline (its own timer: a stalled body must not depend on an abort
 * signal reaching it), chunk by chunk, so a body longer than `maxResponseBytes` is cut at the cap.
 */
async function readAll(body: BodyReader, ctx: CallContext, onTimeout: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await raceDeadline(body.read(), ctx, onTimeout);
      if (next.done || next.value === undefined) {
        break;
      }
      total += next.value.byteLength;
      if (total > ctx.policy.maxResponseBytes) {
        throw new TooLarge();
      }
      chunks.push(next.value);
    }
  } catch (error) {
    await body.cancel().catch(() => undefined);
    throw error;
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/**
 * Refuses a success body that is not JSON (a login page from a proxy, say). A body that says it is JSON is
 * parsed once, by the caller; only other content types are parsed here first.
 */
function checkJson(request: Outgoing, ctx: CallContext, response: Unread, bytes: Uint8Array): void {
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
 * Reads a JSON answer whole inside the attempt, so its time counts against the attempt's limit, a stalled body
 * times out and a failed read can be retried; refuses a body over `maxResponseBytes` unread. Keeps the JSON body
 * of a 204, which SCP documents for deletes, by passing it on as a 200. Returns the Response openapi-fetch reads.
 * @internal
 */
export async function readAnswer(request: Outgoing, ctx: CallContext, answer: Unread): Promise<Response> {
  const declared = Number(answer.headers.get("content-length") ?? Number.NaN);
  if (answer.body !== null && declared > ctx.policy.maxResponseBytes) {
    await answer.body.cancel().catch(() => undefined);
    throw tooLarge(request, ctx, answer.status);
  }
  const timeoutMs = ctx.policy.timeoutMs;
  const onTimeout = () =>
    new ScpTimeoutError({
      method: request.method,
      path: request.url.pathname,
      timeoutMs,
      requestId: ctx.record.requestId,
    });
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    if (answer.body !== null) {
      bytes = await readAll(answer.body, ctx, onTimeout);
    }
  } catch (error) {
    if (ctx.signal?.aborted && !(error instanceof ScpTimeoutError)) {
      throw ctx.signal.reason;
    }
    if (error instanceof TooLarge) {
      throw tooLarge(request, ctx, answer.status);
    }
    if (error instanceof ScpTimeoutError) {
      throw error;
    }
    // The answer was cut after its headers: SCP got the request, so for a POST/PUT the outcome is unknown.
    throw toNetworkError({ method: request.method, path: request.url.pathname }, error, ctx.record, "unknown");
  }
  const ok = answer.status >= 200 && answer.status < 300;
  if (ok && bytes.length > 0) {
    checkJson(request, ctx, answer, bytes);
  }
  const status = answer.status === 204 && bytes.length > 0 ? 200 : answer.status;
  return new Response(NULL_BODY.has(status) ? null : (bytes as Uint8Array<ArrayBuffer>), {
    status,
    statusText: answer.statusText,
    headers: answer.headers,
  });
}

/** A fetch Response as an unread answer. @internal */
export function unreadResponse(response: Response): Unread {
  const reader = response.body?.getReader();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body: reader ? { read: () => reader.read(), cancel: () => reader.cancel() } : null,
  };
}
