import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { batchedWebStream } from "../batched-web-stream.js";
import type { ScpFetch } from "../options.js";
import type { CallContext, Outgoing, Send } from "./call-context.js";
import { createDispatcher, type NetworkOptions, needsDispatcher, ownConnectionsApply } from "./dispatcher.js";
import { toNetworkError } from "./network-error.js";
import { nodeReader } from "./node-body.js";
import type { Observer } from "./observe.js";
import { sendOnOwnConnection } from "./own-connection.js";
import { readAnswer, unreadResponse } from "./read-body.js";
import { type NodeAnswer, sendWithUndici } from "./undici-send.js";

/** The fetch in place when the SDK loaded: Node's own, unless something had replaced it before. */
const STARTUP_FETCH = globalThis.fetch;

/**
 * True when `globalThis.fetch` is no longer Node's own (msw, nock or a test double put theirs in its place, before
 * or after the SDK loaded): the SDK's calls then go through it, so what replaced it sees them.
 */
function fetchReplaced(): boolean {
  return globalThis.fetch !== STARTUP_FETCH || STARTUP_FETCH.name !== "fetch";
}

/**
 * The innermost layer: sends one attempt, maps a thrown failure to an ScpNetworkError (a caller's abort is
 * rethrown as its reason) and reads the answer whole (see {@link readAnswer}), a download's body excepted. A call
 * goes through the caller's fetch when there is one (looked up per call so test doubles work). Otherwise it goes
 * through undici's `request` on the client's dispatcher (see {@link sendWithUndici}): Node's fetch keeps a streamed
 * request body in memory (nodejs/undici#4058), and its web streams cost a download more CPU than the TLS under it
 * and a small call twice the SDK's own work. Only when something replaced `globalThis.fetch` do the calls with small
 * bodies go through that fetch, with the dispatcher.
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
    // Decided before sending, not from the answer's class: a caller's fetch may answer a Response of another class.
    const viaUndici = !options.fetch && (request.source !== undefined || ctx.policy.streamResponse || !fetchReplaced());
    const own = viaUndici && ownConnectionFits(request, ctx) && ownConnectionsApply(options);
    let answer: Response | NodeAnswer;
    try {
      if (own) {
        answer = await sendOnOwnConnection(request, ctx.signal, options.tls);
      } else if (viaUndici) {
        answer = await sendWithUndici(request, ctx, await getDispatcher());
      } else if (options.fetch) {
        answer = await options.fetch(new Request(request.url, requestInit(request, ctx)));
      } else {
        // No Request of our own: fetch makes one from the URL and init anyway.
        const init = requestInit(request, ctx);
        if (ownDispatcher) {
          (init as { dispatcher?: Dispatcher }).dispatcher = await getDispatcher();
        }
        answer = await globalThis.fetch(request.url, init);
      }
    } catch (error) {
      if (ctx.signal?.aborted) {
        throw ctx.signal.reason;
      }
      throw toNetworkError({ method: request.method, path: request.url.pathname }, error, ctx.record);
    }
    const { headers, status } = answer;
    ctx.record.serverRequestId = headers.get("x-openstack-request-id") ?? headers.get("x-request-id") ?? undefined;
    observer.response(ctx.record, status, performance.now() - started);
    if (!viaUndici || own) {
      const response = answer as Response;
      // A download's body goes to the caller unread; any other is read whole inside the attempt.
      return isDownload(ctx, status) ? response : readAnswer(request, ctx, unreadResponse(response));
    }
    const { body } = answer as NodeAnswer;
    if (isDownload(ctx, status)) {
      return new Response(body === null ? null : batchedWebStream(body), { status, headers });
    }
    return readAnswer(request, ctx, { status, statusText: "", headers, body: body === null ? null : nodeReader(body) });
  };
}

/**
 * True for the calls that may go on a connection of their own (see {@link sendOnOwnConnection}): a download's GET,
 * and a streamed upload of a known size.
 */
function ownConnectionFits(request: Outgoing, ctx: CallContext): boolean {
  if (request.body !== undefined) {
    return false;
  }
  if (request.source) {
    return request.source.size !== undefined && !ctx.policy.streamResponse;
  }
  return ctx.policy.streamResponse && request.method === "GET";
}

/** True for a download's successful answer, whose body streams to the caller instead of being read here. */
function isDownload(ctx: CallContext, status: number): boolean {
  return ctx.policy.streamResponse && status >= 200 && status < 300;
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
