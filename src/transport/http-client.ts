import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../generated/schema.js";
import type { ScpFetch } from "../options.js";

/** The typed openapi-fetch client over SCP's paths; every call goes through the SDK's transport. */
export type HttpClient = Client<paths>;

/**
 * Creates the typed client on a transport fetch. The only place the SDK imports openapi-fetch.
 * @internal
 */
export function createHttpClient(baseUrl: string, fetch: ScpFetch): HttpClient {
  return createClient<paths>({ baseUrl, fetch });
}
