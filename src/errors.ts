import type { Task } from "./generated/schema.js";

/** Whether a failed mutating call can still have been applied by SCP. */
export type ScpOutcome = "not-sent" | "unknown";

/** One problem found in input or in a response, as a path and a message. */
export interface ScpIssue {
  /** Where the problem is, e.g. `["pools", 0, "count"]`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong. */
  readonly message: string;
}

const MAX_SERVER_MESSAGE = 200;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_SERVER_MESSAGE ? `${flat.slice(0, MAX_SERVER_MESSAGE)}…` : flat;
}

function describeIssues(issues: readonly ScpIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "(root)"}: ${i.message}`).join("; ");
}

/** Base class of every error the SDK throws. */
export class ScpError extends Error {
  override readonly name: string = "ScpError";
}

/** Fields of an {@link ScpApiError}. */
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

  /** Creates the error from its fields. */
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

  /** Creates the error from its fields. */
  constructor(init: ScpApiErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx: the server failed. */
export class ScpServerError extends ScpApiError {
  override readonly name: string = "ScpServerError";
}

/** No usable response arrived (refused, reset, DNS, TLS). */
export class ScpNetworkError extends ScpError {
  override readonly name: string = "ScpNetworkError";
  /** HTTP method. */
  readonly method: string;
  /** Request path. */
  readonly path: string;
  /** `"not-sent"` when the request surely did not reach SCP; `"unknown"` otherwise. */
  readonly outcome: ScpOutcome;
  /** System or TLS error code, such as `ECONNREFUSED` or `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  readonly code: string | undefined;
  /** The SDK's id for the call. */
  readonly requestId: string | undefined;

  /** Creates the error from its fields. */
  constructor(init: {
    method: string;
    path: string;
    outcome: ScpOutcome;
    reason: string;
    code?: string | undefined;
    requestId?: string | undefined;
    cause?: unknown;
  }) {
    const what = init.outcome === "unknown" ? "outcome unknown" : "not sent";
    super(`${init.method} ${init.path} → network error (${what}): ${init.reason}`, { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    this.outcome = init.outcome;
    this.code = init.code;
    this.requestId = init.requestId;
  }
}

/** One attempt took longer than `timeoutMs`. */
export class ScpTimeoutError extends ScpError {
  override readonly name: string = "ScpTimeoutError";
  /** HTTP method. */
  readonly method: string;
  /** Request path. */
  readonly path: string;
  /** The limit that was exceeded. */
  readonly timeoutMs: number;
  /** Always `"unknown"`: the request may have been applied. */
  readonly outcome: ScpOutcome = "unknown";
  /** The SDK's id for the call. */
  readonly requestId: string | undefined;

  /** Creates the error from its fields. */
  constructor(init: { method: string; path: string; timeoutMs: number; requestId?: string | undefined }) {
    super(`${init.method} ${init.path} → no answer within ${init.timeoutMs} ms (outcome unknown)`);
    this.method = init.method;
    this.path = init.path;
    this.timeoutMs = init.timeoutMs;
    this.requestId = init.requestId;
  }
}

/** Why a task wait ended without success. */
export type ScpTaskFailure = "failed" | "canceled" | "timeout";

/** An SCP task failed, was canceled, or did not finish in time. */
export class ScpTaskError extends ScpError {
  override readonly name: string = "ScpTaskError";
  /** The task id. */
  readonly taskId: string;
  /** Why waiting ended. */
  readonly reason: ScpTaskFailure;
  /** The task as last seen, when it was read at least once. */
  readonly task: Task | undefined;

  /** Creates the error from its fields. */
  constructor(init: { taskId: string; reason: ScpTaskFailure; task?: Task | undefined }) {
    const said = init.task?.description ? `: ${clip(init.task.description)}` : "";
    const what =
      init.reason === "timeout"
        ? `did not finish in time (last status ${init.task?.status ?? "unknown"})`
        : init.reason;
    super(`task ${init.taskId} ${what}${said}`);
    this.taskId = init.taskId;
    this.reason = init.reason;
    this.task = init.task;
  }
}

/** Input failed validation; nothing was sent to SCP. */
export class ScpValidationError extends ScpError {
  override readonly name: string = "ScpValidationError";
  /** What was being validated, e.g. `createScpClient options`. */
  readonly subject: string;
  /** Each problem found. */
  readonly issues: readonly ScpIssue[];

  /** Creates the error from its fields. */
  constructor(init: { subject: string; issues: readonly ScpIssue[] }) {
    super(`invalid ${init.subject}: ${describeIssues(init.issues)}`);
    this.subject = init.subject;
    this.issues = init.issues;
  }
}

/** A response did not have the shape the SDK relies on. */
export class ScpResponseError extends ScpError {
  override readonly name: string = "ScpResponseError";
  /** HTTP method. */
  readonly method: string;
  /** Request path. */
  readonly path: string;
  /** HTTP status of the response. */
  readonly status: number;
  /** Each problem found. */
  readonly issues: readonly ScpIssue[];
  /** The SDK's id for the call. */
  readonly requestId: string | undefined;

  /** Creates the error from its fields. */
  constructor(init: {
    method: string;
    path: string;
    status: number;
    issues: readonly ScpIssue[];
    requestId?: string | undefined;
  }) {
    super(`${init.method} ${init.path} → ${init.status}: unexpected response: ${describeIssues(init.issues)}`);
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.issues = init.issues;
    this.requestId = init.requestId;
  }
}

/** An operation needs a newer SCP than the platform runs. */
export class ScpUnsupportedVersionError extends ScpError {
  override readonly name: string = "ScpUnsupportedVersionError";
  /** What needs the newer version. */
  readonly feature: string;
  /** Oldest SCP version that supports it. */
  readonly requiredVersion: string;
  /** The platform's version. */
  readonly actualVersion: string;

  /** Creates the error from its fields. */
  constructor(init: { feature: string; requiredVersion: string; actualVersion: string }) {
    super(`${init.feature} needs SCP ${init.requiredVersion} or later; this platform runs ${init.actualVersion}`);
    this.feature = init.feature;
    this.requiredVersion = init.requiredVersion;
    this.actualVersion = init.actualVersion;
  }
}

/** A resource is not, or did not get, in the state an operation needs. */
export class ScpStateError extends ScpError {
  override readonly name: string = "ScpStateError";
  /** The resource, e.g. `server 5d0c…`. */
  readonly resource: string;
  /** The state needed, e.g. `vmtools installed`. */
  readonly expected: string;
  /** The state found. */
  readonly actual: string;

  /** Creates the error from its fields. */
  constructor(init: { resource: string; expected: string; actual: string }) {
    super(`${init.resource}: expected ${init.expected}, found ${init.actual}`);
    this.resource = init.resource;
    this.expected = init.expected;
    this.actual = init.actual;
  }
}

/** One precondition a workflow checked before changing anything. */
export interface ScpCheck {
  /** What was checked, e.g. `image is private`. */
  readonly name: string;
  /** Whether it holds. */
  readonly ok: boolean;
  /** Why it does not hold (or what was found). */
  readonly detail: string;
}

/** A workflow's preflight found the platform not ready; nothing was changed. */
export class ScpPreflightError extends ScpError {
  override readonly name: string = "ScpPreflightError";
  /** Workflow name. */
  readonly workflow: string;
  /** Every check made, passing and failing. */
  readonly checks: readonly ScpCheck[];

  /** Creates the error from its fields. */
  constructor(init: { workflow: string; checks: readonly ScpCheck[] }) {
    const failed = init.checks.filter((c) => !c.ok);
    super(`${init.workflow} preflight failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`);
    this.workflow = init.workflow;
    this.checks = init.checks;
  }
}

/** A resource a workflow created, and whether it is still there. */
export interface ScpLeftover {
  /** Kind of resource. */
  readonly kind: "server" | "image" | "file";
  /** Its id (or path, for files; or the name it was created with while its id is not known). */
  readonly id: string;
  /**
   * `removed` when cleanup deleted it; `remains` when it is still there (cleanup failed, ran out of time, was not
   * asked for, or the resource is kept for a re-run to reuse); `kept` when it stays on purpose (a successor that
   * already replaced a deleted proxy: removing it would shrink the pool).
   */
  readonly state: "removed" | "remains" | "kept";
}

/** The step a workflow failed in (see each workflow's documentation for its steps). */
export type ScpWorkflowStep =
  // Before any change: input checks passed, the platform is being read.
  | "preflight"
  | "read-fleet"
  // A proxy's life in a fleet.
  | "create"
  | "mark"
  | "power-on"
  | "vmtools"
  | "init"
  | "verify"
  | "delete"
  // Making and moving an image.
  | "stop-source"
  | "make-image"
  | "export"
  | "download"
  | "restart-source"
  | "hash"
  | "remove-half-made"
  | "create-image"
  | "upload"
  | "distribute"
  | "extend-to-pools";

/** A workflow step failed, or the run was aborted; says what the workflow did and what it left behind. */
export class ScpWorkflowError extends ScpError {
  override readonly name: string = "ScpWorkflowError";
  /** Workflow name. */
  readonly workflow: string;
  /** The step that failed (or was running when the run was aborted). */
  readonly step: ScpWorkflowStep;
  /** What the step worked on, such as a proxy name or an image id; undefined for a step of the whole run. */
  readonly target: string | undefined;
  /** Everything the run created, with what became of it. */
  readonly leftovers: readonly ScpLeftover[];
  /** What the run did to resources it did not create, e.g. `deleted outdated proxy p-01 (id)`. */
  readonly changes: readonly string[];

  /** Creates the error from its fields. */
  constructor(init: {
    workflow: string;
    step: ScpWorkflowStep;
    target?: string | undefined;
    leftovers: readonly ScpLeftover[];
    changes?: readonly string[];
    cause: unknown;
  }) {
    const remains = init.leftovers.filter((l) => l.state === "remains");
    const tail =
      remains.length === 0
        ? "nothing left behind"
        : `left behind: ${remains.map((l) => `${l.kind} ${l.id}`).join(", ")}`;
    const changes = init.changes ?? [];
    const done = changes.length > 0 ? `; before failing it ${changes.join(", ")}` : "";
    const cause = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const where = init.target === undefined ? init.step : `${init.step} ${init.target}`;
    super(`${init.workflow} failed at ${where}: ${cause} (${tail}${done})`, { cause: init.cause });
    this.workflow = init.workflow;
    this.step = init.step;
    this.target = init.target;
    this.leftovers = init.leftovers;
    this.changes = changes;
  }
}

/** True when a failed mutating call may still have been applied, so the caller should look the resource up. */
export function isOutcomeUnknown(error: unknown): boolean {
  return (
    (error instanceof ScpNetworkError || error instanceof ScpTimeoutError || error instanceof ScpApiError) &&
    error.outcome === "unknown"
  );
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
 * Replaces every occurrence of a secret in a text with `[redacted]`.
 * @internal
 */
export function scrubText(text: string, secrets: Iterable<string> | undefined): string {
  let clean = text;
  for (const secret of secrets ?? []) {
    if (secret.length > 0 && clean.includes(secret)) {
      clean = clean.split(secret).join("[redacted]");
    }
  }
  return clean;
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
