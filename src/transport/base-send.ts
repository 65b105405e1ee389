import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Dispatcher } from "undici";
import type { ScpFetch } from "../options.js";
import type { CallContext, Outgoing, Send } from "./call-context.js";
import { createDispatcher, type NetworkOptions, needsDispatcher } from "./dispatcher.js";
import { toNetworkError } from "./network-error.js";
import type { Observer } from "./observe.js";
import { NULL_BODY } from "./read-body.js";

/**
 * The innermost layer: sends one attempt and maps a thrown failure to an ScpNetworkError (a caller's abort is
 * rethrown as its reason). Calls go through fetch (the caller's, looked up per call so test doubles work, or
 * Node's with the client's dispatcher). A streamed upload goes through undici's `request` on the same dispatcher
 * unless the caller brought a fetch: Node's fetch keeps a streamed request body in memory (nodejs/undici#4058).
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
      } else if (request.source) {
        response = await streamUpload(request, ctx, await getDispatcher());
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
  return {
    method: request.method,
    headers: request.headers,
    body: request.body ?? request.source?.open() ?? null,
    signal: ctx.signal ?? null,
    redirect: "manual",
    // A streamed body must be sent half-duplex.
    ...(request.source ? { duplex: "half" } : {}),
  } as RequestInit;
}

/** Sends a streamed body with undici's `request`, at constant memory, and answers a standard Response. */
async function streamUpload(request: Outgoing, ctx: CallContext, dispatcher: Dispatcher): Promise<Response> {
  const source = request.source;
  const headers: Record<string, string> = Object.fromEntries(request.headers.entries());
  if (source?.size !== undefined) {
    // Servers that refuse chunked uploads accept a declared length.
    headers["content-length"] = String(source.size);
  }
  const body = source ? Readable.fromWeb(source.open() as NodeReadableStream<Uint8Array>) : null;
  const answer = await dispatcher.request({
    origin: request.url.origin,
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method as Dispatcher.HttpMethod,
    headers,
    body,
    signal: ctx.signal ?? null,
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
  const webBody = nullBody ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
  return new Response(webBody, { status: answer.statusCode, headers: responseHeaders });
}
