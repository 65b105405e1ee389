import type { Dispatcher } from "undici";
import { z } from "zod";
import type { ScpHooks, ScpLogger } from "./observability.js";
import {
  DEFAULTS,
  type RequestOptions,
  type ScpAuth,
  type ScpClientOptions,
  type ScpFetch,
  type ScpHotAddWire,
  type ScpRetryOptions,
  type ScpTlsOptions,
} from "./options.js";
import { MAX_TIMER_MS, parseInput } from "./validate.js";

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
  dispatcher: Dispatcher | undefined;
  proxy: string | false | undefined;
  logger: ScpLogger | undefined;
  hooks: ScpHooks;
  tracing: boolean;
  maxResponseBytes: number;
  userAgent: string;
  hotAdd: Partial<ScpHotAddWire>;
}

const nonEmpty = z.string().min(1, "must not be empty");
// Node's timers hold at most 2^31-1 ms; longer would fire at once, so it is refused as the wait durations are.
const duration = z.number().int().nonnegative().max(MAX_TIMER_MS);
const attemptMs = z.number().int().positive().max(MAX_TIMER_MS);
// A header value may carry no control characters (CR/LF would split the header).
const headerSafe = /^[\x20-\x7e]+$/;
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "must be a function");
const object = z.custom<object>((v) => typeof v === "object" && v !== null, "must be an object");

// An overridden hot-add path: absolute, with the proxy's `{server_id}` placeholder, nothing that escapes the URL.
const hotAddPath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9/_.-]*\{server_id\}[A-Za-z0-9/_.-]*$/,
    "must be a path such as /janus/…/servers/{server_id}/disks",
  );

const RetrySchema = z.union([
  z.literal(false),
  z.strictObject({
    retries: z.number().int().min(0).max(10).optional(),
    minDelayMs: duration.optional(),
    maxDelayMs: duration.optional(),
    maxRetryAfterMs: duration.optional(),
  }),
]);

// Strict: a misspelt option (`timeout: 5000`) is refused instead of silently ignored.
const OptionsSchema = z
  .strictObject({
    baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://10.0.0.10:4430" }),
    auth: z.discriminatedUnion("type", [
      z.strictObject({
        type: z.literal("signature"),
        accessKey: nonEmpty.regex(headerSafe, "must be printable ASCII"),
        secretKey: nonEmpty,
        region: nonEmpty.regex(/^[\w.-]+$/, "must be letters, digits, '.', '_' or '-'").optional(),
        service: nonEmpty.regex(/^[\w.-]+$/, "must be letters, digits, '.', '_' or '-'").optional(),
        legacyCookie: z.boolean().optional(),
      }),
      z.strictObject({
        type: z.literal("token"),
        username: nonEmpty,
        password: nonEmpty,
        loginVersion: z.enum(["auto", "v1", "v2"]).optional(),
      }),
    ]),
    tls: z
      .strictObject({
        ca: z.union([z.string(), z.instanceof(Uint8Array)]).optional(),
        insecure: z.boolean().optional(),
      })
      .optional(),
    timeoutMs: attemptMs.optional(),
    retry: RetrySchema.optional(),
    fetch: fn.optional(),
    dispatcher: object.optional(),
    proxy: z
      .union([z.literal(false), z.url({ protocol: /^https?$/, error: "must be an http(s) proxy URL" })])
      .optional(),
    logger: object.optional(),
    hooks: z
      .strictObject({
        onRequest: fn.optional(),
        onResponse: fn.optional(),
        onRetry: fn.optional(),
        onTask: fn.optional(),
      })
      .optional(),
    tracing: z.boolean().optional(),
    maxResponseBytes: z.number().int().min(1024).optional(),
    userAgent: nonEmpty.regex(headerSafe, "must be printable ASCII").optional(),
    hotAdd: z
      .strictObject({
        attachPath: hotAddPath.optional(),
        detachPath: hotAddPath.optional(),
        attachBody: fn.optional(),
        readAttachAnswer: fn.optional(),
        detachBody: fn.optional(),
        readAttached: fn.optional(),
      })
      .optional(),
  })
  .refine((o) => o.tls === undefined || (o.fetch === undefined && o.dispatcher === undefined), {
    message: "tls cannot be combined with fetch or dispatcher: configure TLS in those",
    path: ["tls"],
  })
  .refine((o) => o.fetch === undefined || o.dispatcher === undefined, {
    message: "give fetch or dispatcher, not both",
    path: ["dispatcher"],
  });

/** The console as a logger, at debug level: what `SCP_SDK_DEBUG=1` turns on. */
function consoleLogger(): ScpLogger {
  /* biome-ignore-start lint/suspicious/noConsole: the opt-in debug logger writes to the console */
  return {
    debug: (fields, message) => console.debug(fields, message),
    info: (fields, message) => console.info(fields, message),
    warn: (fields, message) => console.warn(fields, message),
    error: (fields, message) => console.error(fields, message),
  };
  /* biome-ignore-end lint/suspicious/noConsole: the opt-in debug logger writes to the console */
}

function resolveRetry(retry: ScpRetryOptions | false | undefined, base: ResolvedRetry | false): ResolvedRetry | false {
  if (retry === false) {
    return false;
  }
  const from = base === false ? undefined : base;
  return {
    retries: retry?.retries ?? from?.retries ?? DEFAULTS.retries,
    minDelayMs: retry?.minDelayMs ?? from?.minDelayMs ?? DEFAULTS.minDelayMs,
    maxDelayMs: retry?.maxDelayMs ?? from?.maxDelayMs ?? DEFAULTS.maxDelayMs,
    maxRetryAfterMs: retry?.maxRetryAfterMs ?? from?.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
  };
}

/**
 * Validates client options and fills in defaults.
 * @throws {@link ScpValidationError} when an option is missing or malformed.
 * @internal
 */
export function resolveOptions(options: ScpClientOptions): ResolvedOptions {
  const o = parseInput(OptionsSchema, options, "createScpClient options");
  const debug = typeof process !== "undefined" && process.env.SCP_SDK_DEBUG === "1";
  return {
    baseUrl: o.baseUrl.replace(/\/+$/, ""),
    auth: options.auth,
    tls: options.tls,
    timeoutMs: o.timeoutMs ?? DEFAULTS.timeoutMs,
    retry: resolveRetry(o.retry as ScpRetryOptions | false | undefined, false),
    fetch: options.fetch,
    dispatcher: options.dispatcher,
    proxy: options.proxy,
    logger: options.logger ?? (debug ? consoleLogger() : undefined),
    hooks: options.hooks ?? {},
    tracing: o.tracing ?? true,
    maxResponseBytes: o.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    userAgent: o.userAgent ?? DEFAULTS.userAgent,
    hotAdd: options.hotAdd ?? {},
  };
}

/** One call's options as every method takes them (loose: method-specific options ride along). @internal */
export const RequestOptionsSchema = z.looseObject({
  signal: z.instanceof(AbortSignal, { message: "must be an AbortSignal" }).optional(),
  clientToken: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, "must be 1-128 printable ASCII characters without spaces")
    .optional(),
  timeoutMs: attemptMs.optional(),
  retry: RetrySchema.optional(),
});

/**
 * Validates one call's options (for a check that must come before the call's first request, such as a version gate).
 * @throws {@link ScpValidationError} before anything is sent.
 * @internal
 */
export function parseRequestOptions(options: RequestOptions | undefined): z.output<typeof RequestOptionsSchema> {
  return options === undefined ? {} : parseInput(RequestOptionsSchema, options, "request options");
}

/** A call's options after validation, with its policy fields resolved against the client's. @internal */
export interface ResolvedRequest {
  signal: AbortSignal | undefined;
  clientToken: string | undefined;
  timeoutMs: number;
  retry: ResolvedRetry | false;
}

/**
 * Validates one call's options and merges them over the client's.
 * @throws {@link ScpValidationError} before anything is sent.
 * @internal
 */
export function resolveRequest(options: RequestOptions | undefined, client: ResolvedOptions): ResolvedRequest {
  const o = parseRequestOptions(options);
  return {
    signal: options?.signal,
    clientToken: o.clientToken,
    timeoutMs: o.timeoutMs ?? client.timeoutMs,
    retry: o.retry === undefined ? client.retry : resolveRetry(o.retry as ScpRetryOptions | false, client.retry),
  };
}
