import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { ScpFetch } from "../options.js";
import type { CallContext, Outgoing, Send } from "./call-context.js";
import { createDispatcher, type NetworkOptions, needsDispatcher } from "./dispatcher.js";
import { toNetworkError } from "./network-error.js";
import { webBody } from "./node-body.js";
import type { Observer } from "./observe.js";
import { NULL_BODY } from "./read-body.js";

/** Most bytes a streamed response buffers ahead of its reader (and the most one chunk of it carries). */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * The innermost layer: sends one attempt and maps a thrown failure to an ScpNetworkError (a caller's abort is
 * rethrown as its reason). A call goes through the caller's fetch when there is one (looked up per call so test
 * doubles work). Otherwise a streamed upload or download goes through undici's `request` on the client's
 * dispatcher, with Node streams end to end (Node's fetch keeps a streamed request body in memory,
 * nodejs/undici#4058, and its web streams cost a download more CPU than the TLS under it); other calls go through
 * Node's fetch with that dispatcher.
 * @internal
 */
export function createBaseSend(options: NetworkOptions & { fetch: ScpFetch | undefined }, observer: Observer): Send {
  let dispatcher: Promise<Dispatcher> | undefined;
  const ownDispatcher = options.fetch === undefined && needsDispatcher(options);
  const getDispatcher = () => {
    dispatcher ??= createDispatcher(options);
    return dispatcher;
  };
  return async (request, ctx) => {
    // An aborted call is never sent, however the fetch below treats signals.
    ctx.signal?.throwIfAborted();
    ctx.record.attempts++;
    observer.attempt(ctx.record);
    const started = performance.now();
    try {
      let response: Response;
      if (options.fetch) {
        response = await options.fetch(new Request(request.url, requestInit(request, ctx)));
      } else if (request.source || ctx.policy.streamResponse) {
        response = await sendStreamed(request, ctx, await getDispatcher());
      } else {
        // No Request of our own: fetch makes one from the URL and init anyway.
        const init = requestInit(request, ctx);
        if (ownDispatcher) {
          (init as { dispatcher?: Dispatcher }).dispatcher = await getDispatcher();
        }
        response = await globalThis.fetch(request.url, init);
      }
      ctx.record.serverRequestId =
        response.headers.get("x-openstack-request-id") ?? response.headers.get("x-request-id") ?? undefined;
      observer.response(ctx.record, response.status, performance.now() - started);
      return response;
    } catch (error) {
      if (ctx.signal?.aborted) {
        throw ctx.signal.reason;
      }
      throw toNetworkError(request, error, ctx.record);
    }
  };
}

function requestInit(request: Outgoing, ctx: CallContext): RequestInit {
  const source = request.source ? (Readable.toWeb(request.source.open()) as ReadableStream<Uint8Array>) : null;
  return {
    method: request.method,
    headers: request.headers,
    body: request.body ?? source,
    signal: ctx.signal ?? null,
    redirect: "manual",
    // A streamed body must be sent half-duplex.
    ...(request.source ? { duplex: "half" } : {}),
  } as RequestInit;
}

/** Sends a call with undici's `request`, streaming either way at constant memory; answers a standard Response. */
async function sendStreamed(request: Outgoing, ctx: CallContext, dispatcher: Dispatcher): Promise<Response> {
  const source = request.source;
  const headers: Record<string, string> = Object.fromEntries(request.headers.entries());
  if (source?.size !== undefined) {
    // Servers that refuse chunked uploads accept a declared length.
    headers["content-length"] = String(source.size);
  }
  const answer = await dispatcher.request({
    origin: request.url.origin,
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method as Dispatcher.HttpMethod,
    headers,
    body: source ? source.open() : (request.body ?? null),
    signal: ctx.signal ?? null,
    highWaterMark: STREAM_HIGH_WATER_BYTES,
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, v);
    }
  }
  const nullBody = NULL_BODY.has(answer.statusCode);
  if (nullBody) {
    await answer.body.dump();
  }
  return new Response(nullBody ? null : webBody(answer.body), { status: answer.statusCode, headers: responseHeaders });
}
