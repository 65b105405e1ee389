import { ScpNetworkError, type ScpOutcome } from "../errors.js";
import type { ScpFetch, ScpTlsOptions } from "../options.js";
import type { Send } from "./call.js";
import { createNodeStreamSend } from "./node-http-send.js";
import { tlsConnectOptions } from "./tls-options.js";

// Failures that happen before a byte of the request leaves: the request surely did not apply.
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS_CODE = /CERT|SELF_SIGNED|ERR_TLS|ERR_SSL|UNABLE_TO_(GET|VERIFY)/;

/** True for certificate and TLS handshake failures, which no retry heals. @internal */
export function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && TLS_CODE.test(code);
}

function rootCause(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const c = (current as { code?: unknown }).code;
    if (typeof c === "string") {
      code = c;
    }
    message = current.message;
    current = current.cause;
  }
  return { code, message };
}

/** Maps a thrown fetch failure to an ScpNetworkError that says whether the request may have applied. @internal */
export function toNetworkError(method: string, path: string, error: unknown, known?: ScpOutcome): ScpNetworkError {
  const { code, message } = rootCause(error);
  const outcome: ScpOutcome =
    known ?? (code !== undefined && (NOT_SENT.has(code) || isTlsFailure(code)) ? "not-sent" : "unknown");
  return new ScpNetworkError({ method, path, outcome, reason: message, code, cause: error });
}

async function createDispatcher(tls: ScpTlsOptions): Promise<unknown> {
  const { Agent } = await import("undici");
  return new Agent({ connect: tlsConnectOptions(tls) });
}

/**
 * The innermost layer: sends one attempt and maps a thrown failure to an ScpNetworkError (a caller's abort is
 * rethrown as its reason). Calls go through fetch, looked up per call so test doubles work; a streamed upload goes
 * through node:http(s) unless the caller brought their own fetch.
 * @internal
 */
export function createBaseSend(options: { fetch: ScpFetch | undefined; tls: ScpTlsOptions | undefined }): Send {
  const fetchSend = createFetchSend(options);
  const streamSend = createNodeStreamSend(options.tls);
  return async (call) => {
    try {
      return await (call.source && !options.fetch ? streamSend(call) : fetchSend(call));
    } catch (error) {
      if (call.signal?.aborted) {
        throw call.signal.reason;
      }
      throw toNetworkError(call.method, call.url.pathname, error);
    }
  };
}

function createFetchSend(options: { fetch: ScpFetch | undefined; tls: ScpTlsOptions | undefined }): Send {
  let dispatcher: Promise<unknown> | undefined;
  const tls = options.tls;
  const needsDispatcher =
    options.fetch === undefined && tls !== undefined && (tls.ca !== undefined || tls.insecure === true);
  return async (call) => {
    const request = new Request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body ?? call.source?.open() ?? null,
      signal: call.signal ?? null,
      redirect: "manual",
      // A streamed body must be sent half-duplex.
      ...(call.source ? { duplex: "half" } : {}),
    } as RequestInit);
    if (options.fetch) {
      return options.fetch(request);
    }
    if (needsDispatcher && tls) {
      dispatcher ??= createDispatcher(tls);
      // Node's fetch takes TLS settings only through an undici dispatcher.
      return globalThis.fetch(request, { dispatcher: await dispatcher } as RequestInit);
    }
    return globalThis.fetch(request);
  };
}
