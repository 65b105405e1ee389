import * as openapiFetch from "openapi-fetch";
import { ScpError } from "../errors/base.js";
import { ScpResponseError, ScpValidationError } from "../errors/call.js";
import type { paths } from "../generated/schema.js";
import type { ScpFetch } from "../options.js";

/** The typed openapi-fetch client over SCP's paths; every call goes through the SDK's transport. */
export type HttpClient = openapiFetch.Client<paths>;

type CreateClient = typeof openapiFetch.default;
// In a CommonJS bundle the default import can arrive as the whole module object (Node-mode interop): unwrap it.
const createClient: CreateClient =
  (openapiFetch.default as unknown as { default?: CreateClient }).default ?? openapiFetch.default;

const VERBS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;
type Init = { fetch?: ScpFetch } & Record<string, unknown>;
type Call = (url: string, init?: Init) => Promise<unknown>;

/**
 * What openapi-fetch throws before or after our fetch, typed: before it ran (a header value with CR/LF, a signal
 * that is not one, a body JSON cannot hold) nothing was sent; after, the answer could not be read. Quoted parts of
 * the message (a header value, say) are dropped: they may hold anything.
 */
function typed(error: unknown, sent: boolean, method: string, url: string): unknown {
  if (error instanceof ScpError) {
    return error;
  }
  const text = error instanceof SyntaxError && sent ? "success body is not JSON" : String(error);
  const message = (error instanceof Error && !(error instanceof SyntaxError) ? error.message : text).replace(
    /"[^"]*"/g,
    "…",
  );
  if (!sent) {
    return new ScpValidationError({ subject: `scp.http.${method}`, issues: [{ path: [], message }] });
  }
  const issues = [{ path: [], message }];
  const path = String(url).split("?")[0] ?? "";
  return new ScpResponseError({ method, path, status: 0, issues });
}

/**
 * Marks a per-call fetch whose caller types every failure itself (the transport's calls, which know the call's
 * record): its calls pass through as they are.
 * @internal
 */
export const TYPED_BY_CALLER: unique symbol = Symbol("scp.typedByCaller");

/** One verb, with every failure typed (see {@link typed}). */
function typedCall(call: Call, method: string, fallback: ScpFetch | undefined): Call {
  return async (url, init) => {
    if (init?.fetch && TYPED_BY_CALLER in init.fetch) {
      return call(url, init);
    }
    let sent = false;
    const inner = init?.fetch ?? fallback;
    const fetch: ScpFetch = (request) => {
      sent = true;
      return (inner as ScpFetch)(request);
    };
    try {
      return await call(url, { ...init, ...(inner ? { fetch } : {}) });
    } catch (error) {
      throw typed(error, sent, method, url);
    }
  };
}

/** Middleware as openapi-fetch takes it: an object with at least one hook, every hook given a function. */
function checkMiddleware(name: string, middleware: readonly unknown[]): void {
  const hooks = ["onRequest", "onResponse", "onError"];
  for (const [i, m] of middleware.entries()) {
    const given = typeof m === "object" && m !== null ? hooks.filter((h) => h in m) : [];
    const ok = given.length > 0 && given.every((h) => typeof (m as Record<string, unknown>)[h] === "function");
    if (!ok) {
      const message = "must be middleware: an object with onRequest, onResponse or onError functions";
      throw new ScpValidationError({ subject: `scp.http.${name}`, issues: [{ path: [i], message }] });
    }
  }
}

/**
 * Creates the typed client on a transport fetch (calls may pass their own per-call fetch), whose every failure is
 * an ScpError. The only place the SDK imports openapi-fetch.
 * @internal
 */
export function createHttpClient(baseUrl: string, fetch?: ScpFetch): HttpClient {
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  const wrapped: Record<string, unknown> = { ...client };
  for (const verb of VERBS) {
    wrapped[verb] = typedCall(client[verb] as unknown as Call, verb, fetch);
  }
  const request = client.request as unknown as (method: string, url: string, init?: Init) => Promise<unknown>;
  wrapped.request = (method: string, url: string, init?: Init) =>
    typedCall(
      (u, i) => request(method, u, i),
      typeof method === "string" ? method.toUpperCase() : "?",
      fetch,
    )(url, init);
  wrapped.use = (...middleware: unknown[]) => {
    checkMiddleware("use", middleware);
    client.use(...(middleware as Parameters<typeof client.use>));
  };
  wrapped.eject = (...middleware: unknown[]) => {
    checkMiddleware("eject", middleware);
    client.eject(...(middleware as Parameters<typeof client.eject>));
  };
  return wrapped as unknown as HttpClient;
}
