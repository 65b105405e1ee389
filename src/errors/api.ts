import { clip, ScpError, type ScpOutcome, scrubText } from "./base.js";

/** Fields of an {@link ScpApiError}. @internal */
export interface ScpApiErrorInit {
  /** HTTP status. */
  status: number;
  /** The server's `code` or `errcode`, when the body had one. */
  code?: number | string | undefined;
  /** The server's `message`, or the start of a non-JSON body. */
  serverMessage: string;
  /** HTTP method of the request. */
  method: string;
  /** Path of the request, without the query string. */
  path: string;
  /** The SDK's id for the call (sent as `X-Request-Id` and logged). */
  requestId?: string | undefined;
  /** Request id from the response headers, when SCP or a proxy sent one. */
  serverRequestId?: string | undefined;
  /** Set when a mutating call failed in a way that may still have applied it. */
  outcome?: ScpOutcome | undefined;
}

/** SCP (or a proxy in front of it) answered with an error status or an error envelope. */
export class ScpApiError extends ScpError {
  override readonly name: string = "ScpApiError";
  /** HTTP status. */
  readonly status: number;
  /** The server's `code` or `errcode`, when the body had one. */
  readonly code: number | string | undefined;
  /** The server's message. */
  readonly serverMessage: string;
  /** HTTP method. */
  readonly method: string;
  /** Request path, without the query string. */
  readonly path: string;
  /** The SDK's id for the call (sent as `X-Request-Id` and logged). */
  readonly requestId: string | undefined;
  /** Request id from the response headers, when SCP or a proxy sent one. */
  readonly serverRequestId: string | undefined;
  /** `"unknown"` when the call may have been applied despite the error. */
  readonly outcome: ScpOutcome | undefined;

  /** Creates the error from its fields; the SDK makes these from responses (`toApiError`). @internal */
  constructor(init: ScpApiErrorInit) {
    const detail = init.serverMessage ? `: ${clip(init.serverMessage)}` : "";
    super(`${init.method} ${init.path} → ${init.status}${detail}`);
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.method = init.method;
    this.path = init.path;
    this.requestId = init.requestId;
    this.serverRequestId = init.serverRequestId;
    this.outcome = init.outcome;
  }

  /** True for statuses worth retrying later (429 and 5xx). */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** 401 or 403: bad credentials, an expired token, or a missing permission. */
export class ScpAuthError extends ScpApiError {
  override readonly name: string = "ScpAuthError";
}

/** 404: the resource does not exist. */
export class ScpNotFoundError extends ScpApiError {
  override readonly name: string = "ScpNotFoundError";
}

/** 409: the resource already exists or is in a conflicting state. */
export class ScpConflictError extends ScpApiError {
  override readonly name: string = "ScpConflictError";
}

/** 429: rate limited, or an idempotency token seen before. */
export class ScpRateLimitError extends ScpApiError {
  override readonly name: string = "ScpRateLimitError";
  /** How long the server asked to wait, when it said. */
  readonly retryAfterMs: number | undefined;

  /** Creates the error from its fields; the SDK makes these from responses (`toApiError`). @internal */
  constructor(init: ScpApiErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx: the server failed. */
export class ScpServerError extends ScpApiError {
  override readonly name: string = "ScpServerError";
}

/** Matches SCP's text for a reused `X-Client-Token` (English or Chinese). */
const IDEMPOTENCY_TEXT = /idempoten|幂等/i;

/** True when a 429 body says the idempotency token was seen before. */
export function isIdempotencyRejection(status: number, serverMessage: string): boolean {
  return status === 429 && IDEMPOTENCY_TEXT.test(serverMessage);
}

/** What {@link toApiError} needs to know about the failed call. */
export interface FailedCall {
  /** HTTP method. */
  method: string;
  /** Request path without the query string. */
  path: string;
  /** The response. */
  response: Response;
  /** Parsed body: an object, a string, or undefined. */
  body: unknown;
  /** Set by the transport when the call may have been applied. */
  outcome?: ScpOutcome | undefined;
  /** The SDK's id for the call. */
  requestId?: string | undefined;
  /** Credentials the call sent, replaced in the server's message should it echo them. */
  secrets?: Iterable<string> | undefined;
}

/**
 * Turns a failed response into the matching {@link ScpApiError} subclass; the one place statuses map to classes.
 * @internal
 */
export function toApiError(call: FailedCall): ScpApiError {
  const envelope = typeof call.body === "object" && call.body !== null ? (call.body as Record<string, unknown>) : {};
  const code = envelope.code ?? envelope.errcode;
  // An error envelope inside a 2xx answer carries the real status in `code`/`errcode`.
  const fromCode = Number(code);
  const status = call.response.ok && fromCode >= 400 && fromCode < 600 ? fromCode : call.response.status;
  const rawMessage =
    typeof envelope.message === "string" ? envelope.message : typeof call.body === "string" ? call.body : "";
  const serverMessage = scrubText(rawMessage, call.secrets);
  const headers = call.response.headers;
  const init: ScpApiErrorInit = {
    status,
    code: typeof code === "number" || typeof code === "string" ? code : undefined,
    serverMessage,
    method: call.method,
    path: call.path,
    requestId: call.requestId,
    serverRequestId: headers.get("x-openstack-request-id") ?? headers.get("x-request-id") ?? undefined,
    outcome: call.outcome,
  };
  switch (true) {
    case status === 401 || status === 403:
      return new ScpAuthError(init);
    case status === 404:
      return new ScpNotFoundError(init);
    case status === 409:
      return new ScpConflictError(init);
    case status === 429:
      return new ScpRateLimitError({ ...init, retryAfterMs: parseRetryAfter(headers.get("retry-after")) });
    case status >= 500:
      return new ScpServerError(init);
    default:
      return new ScpApiError(init);
  }
}

/**
 * Reads a `Retry-After` header given in seconds or as an HTTP date.
 * @internal
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.round(Number(trimmed) * 1000);
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
