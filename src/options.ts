import { z } from "zod";
import { parseInput } from "./validate.js";

/** Signs every request with an access key / secret key pair (SCP's AWS4-HMAC-SHA256 variant). */
export interface ScpSignatureAuth {
  /** Selects signature authentication. */
  type: "signature";
  /** Access key id. */
  accessKey: string;
  /** Secret key; never logged or put in an error. */
  secretKey: string;
  /** Region in the credential scope. @defaultValue "regionOne" */
  region?: string;
  /** Service in the credential scope. @defaultValue "sdk-api" */
  service?: string;
  /** Send and sign the `aCMPAuthToken` cookie that SCP before 6.3.70 needs. @defaultValue false */
  legacyCookie?: boolean;
}

/** Logs in with a user name and password and sends the token it gets. */
export interface ScpTokenAuth {
  /** Selects token authentication. */
  type: "token";
  /** Login name. */
  username: string;
  /** Password; encrypted with the platform's RSA key, never logged or put in an error. */
  password: string;
  /** Login API: v2 (RSA-OAEP, SCP 6.11.3), v1 (PKCS#1 v1.5), or auto (v2, falling back to v1). @defaultValue "auto" */
  loginVersion?: "auto" | "v1" | "v2";
}

/** How the client authenticates. */
export type ScpAuth = ScpSignatureAuth | ScpTokenAuth;

/** TLS settings for SCP's (often self-signed) certificate. Verification is on unless `insecure` is set. */
export interface ScpTlsOptions {
  /** PEM certificate(s) to trust in addition to the system store. */
  ca?: string | Uint8Array;
  /** Skip certificate verification entirely. An explicit, per-client opt-in; prefer `ca`. @defaultValue false */
  insecure?: boolean;
}

/** Retry policy for requests that are safe to repeat. */
export interface ScpRetryOptions {
  /** Retries after the first attempt. @defaultValue 2 */
  retries?: number;
  /** Base delay of the exponential backoff. @defaultValue 500 */
  minDelayMs?: number;
  /** Longest delay between attempts. @defaultValue 8000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one ends retrying. @defaultValue 60000 */
  maxRetryAfterMs?: number;
}

/** Receives one structured line per notable transport event; never sees headers or bodies. */
export interface ScpLogger {
  /** Routine events (each request). */
  debug?(message: string, fields: Record<string, unknown>): void;
  /** Retries and re-logins. */
  warn?(message: string, fields: Record<string, unknown>): void;
}

/** A fetch-compatible function. */
export type ScpFetch = (request: Request) => Promise<Response>;

/** Options of {@link createScpClient}. */
export interface ScpClientOptions {
  /** SCP address with scheme and port, e.g. `https://10.0.0.10:4430`. */
  baseUrl: string;
  /** How to authenticate. */
  auth: ScpAuth;
  /** Certificate trust. Ignored when `fetch` is given (configure your own fetch then). */
  tls?: ScpTlsOptions;
  /** Limit of one attempt, until the response headers arrive (streamed transfers: of any pause). @defaultValue 30000 */
  timeoutMs?: number;
  /** Retry policy, or `false` for none. */
  retry?: ScpRetryOptions | false;
  /** Fetch to use instead of the global one, looked up on every call. */
  fetch?: ScpFetch;
  /** Where transport events go. */
  logger?: ScpLogger;
  /** `User-Agent` header. @defaultValue "sangfor-scp-sdk/<version>" */
  userAgent?: string;
}

/** Version of this package, sent in the default User-Agent. */
export const SDK_VERSION = "0.1.0";

/** Default values of every client option. */
export const DEFAULTS = Object.freeze({
  timeoutMs: 30_000,
  retries: 2,
  minDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  region: "regionOne",
  service: "sdk-api",
  userAgent: `sangfor-scp-sdk/${SDK_VERSION}`,
});

/** Retry policy with every field set. @internal */
export type ResolvedRetry = Required<ScpRetryOptions>;

/** Client options after defaults and validation. @internal */
export interface ResolvedOptions {
  baseUrl: string;
  auth: ScpAuth;
  tls: ScpTlsOptions | undefined;
  timeoutMs: number;
  retry: ResolvedRetry | false;
  fetch: ScpFetch | undefined;
  logger: ScpLogger | undefined;
  userAgent: string;
}

const nonEmpty = z.string().min(1, "must not be empty");
const duration = z.number().int().nonnegative();

const OptionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://10.0.0.10:4430" }),
  auth: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("signature"),
      accessKey: nonEmpty,
      secretKey: nonEmpty,
      region: nonEmpty.optional(),
      service: nonEmpty.optional(),
      legacyCookie: z.boolean().optional(),
    }),
    z.object({
      type: z.literal("token"),
      username: nonEmpty,
      password: nonEmpty,
      loginVersion: z.enum(["auto", "v1", "v2"]).optional(),
    }),
  ]),
  tls: z
    .object({ ca: z.union([z.string(), z.instanceof(Uint8Array)]).optional(), insecure: z.boolean().optional() })
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
  retry: z
    .union([
      z.literal(false),
      z.object({
        retries: z.number().int().min(0).max(10).optional(),
        minDelayMs: duration.optional(),
        maxDelayMs: duration.optional(),
        maxRetryAfterMs: duration.optional(),
      }),
    ])
    .optional(),
  fetch: z.custom<ScpFetch>((v) => typeof v === "function", "must be a function").optional(),
  logger: z.custom<ScpLogger>((v) => typeof v === "object" && v !== null, "must be an object").optional(),
  userAgent: nonEmpty.optional(),
});

/**
 * Validates client options and fills in defaults.
 * @throws {@link ScpValidationError} when an option is missing or malformed.
 * @internal
 */
export function resolveOptions(options: ScpClientOptions): ResolvedOptions {
  const o = parseInput(OptionsSchema, options, "createScpClient options");
  const retry =
    o.retry === false
      ? false
      : {
          retries: o.retry?.retries ?? DEFAULTS.retries,
          minDelayMs: o.retry?.minDelayMs ?? DEFAULTS.minDelayMs,
          maxDelayMs: o.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
          maxRetryAfterMs: o.retry?.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
        };
  return {
    baseUrl: o.baseUrl.replace(/\/+$/, ""),
    auth: options.auth,
    tls: options.tls,
    timeoutMs: o.timeoutMs ?? DEFAULTS.timeoutMs,
    retry,
    fetch: options.fetch,
    logger: options.logger,
    userAgent: o.userAgent ?? DEFAULTS.userAgent,
  };
}
