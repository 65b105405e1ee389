import * as openapiFetch from "openapi-fetch";
import type { paths } from "../generated/schema.js";
import type { ScpFetch } from "../options.js";

/** The typed openapi-fetch client over SCP's paths; every call goes through the SDK's transport. */
export type HttpClient = openapiFetch.Client<paths>;

type CreateClient = typeof openapiFetch.default;
// In a CommonJS bundle the default import can arrive as the whole module object (Node-mode interop): unwrap it.
const createClient: CreateClient =
  (openapiFetch.default as unknown as { default?: CreateClient }).default ?? openapiFetch.default;

/**
 * Creates the typed client on a transport fetch (calls may pass their own per-call fetch). The only place the SDK
 * imports openapi-fetch.
 * @internal
 */
export function createHttpClient(baseUrl: string, fetch?: ScpFetch): HttpClient {
  return createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
}
