import { randomUUID } from "node:crypto";
import type { ResolvedOptions, ScpFetch } from "../options.js";
import { createBaseSend } from "./base-send.js";
import type { BodySource, Call, Send } from "./call.js";
import { createHttpClient, type HttpClient } from "./http-client.js";
import { readBody } from "./read-body.js";
import { tagResponse } from "./response-info.js";
import { createSignatureAuth } from "./signature-auth.js";
import { createTokenLogin } from "./token-login.js";
import { TokenSession } from "./token-session.js";
import { withAuth } from "./with-auth.js";
import { withRetry } from "./with-retry.js";
import { withTimeout } from "./with-timeout.js";

/** Per-call changes to the transport's defaults, for transfers. @internal */
export interface CallOverrides {
  /** Send this stream as the body, reopened for each attempt. */
  source?: BodySource;
  /** Leave the response body unread for the caller. */
  streamResponse?: boolean;
  /** Replace the per-attempt timeout; 0 for none. */
  timeoutMs?: number;
}

/** The transport: a typed client whose every call is authenticated, timed, retried and checked. @internal */
export interface Transport {
  /** Typed openapi-fetch client on the full pipeline. */
  readonly http: HttpClient;
  /** A fetch with per-call overrides, to hand to one openapi-fetch call as its `fetch` option. */
  fetchWith(overrides: CallOverrides): ScpFetch;
}

const MUTATING = new Set(["POST", "PUT", "PATCH"]);

function entry(send: Send, options: ResolvedOptions, overrides: CallOverrides): ScpFetch {
  return async (request) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set("User-Agent", options.userAgent);
    // One idempotency token per logical call, reused by every retry and replay of it.
    if (MUTATING.has(request.method) && !headers.has("x-client-token")) {
      headers.set("X-Client-Token", randomUUID());
    }
    if (overrides.source) {
      headers.set("Content-Type", "application/octet-stream");
    }
    const body = overrides.source || request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const call: Call = {
      method: request.method,
      url,
      headers,
      body,
      source: overrides.source,
      signal: request.signal,
      timeoutMs: overrides.timeoutMs ?? options.timeoutMs,
      retry: options.retry,
      streamResponse: overrides.streamResponse ?? false,
    };
    const started = performance.now();
    const response = await send(call);
    options.logger?.debug?.("response", {
      method: call.method,
      path: url.pathname,
      status: response.status,
      durationMs: Math.round(performance.now() - started),
    });
    return tagResponse(response, { method: call.method, path: url.pathname });
  };
}

/**
 * Builds the pipeline `withAuth(withRetry(withTimeout(readBody(fetch))))` and the typed client on top of it.
 * @internal
 */
export function createTransport(options: ResolvedOptions): Transport {
  const unauthenticated = withRetry(withTimeout(readBody(createBaseSend(options))), options.logger);
  const auth =
    options.auth.type === "signature"
      ? createSignatureAuth(options.auth)
      : new TokenSession(
          createTokenLogin(
            createHttpClient(options.baseUrl, entry(unauthenticated, options, {})),
            options.auth,
            options.logger,
          ),
        );
  const send = withAuth(unauthenticated, auth, options.logger);
  return {
    http: createHttpClient(options.baseUrl, entry(send, options, {})),
    fetchWith: (overrides) => entry(send, options, overrides),
  };
}
