import type { Task } from "../generated/schema.js";
import { ScpApiError } from "./api.js";
import { clip, describeIssues, ScpError, type ScpIssue, type ScpOutcome } from "./base.js";

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
  /** True when it was a transfer's `idleTimeoutMs` (no byte moved for that long), false for a call's `timeoutMs`. */
  readonly idle: boolean;
  /** Always `"unknown"`: the request may have been applied. */
  readonly outcome: ScpOutcome = "unknown";
  /** The SDK's id for the call. */
  readonly requestId: string | undefined;

  /** Creates the error from its fields. */
  constructor(init: {
    method: string;
    path: string;
    timeoutMs: number;
    requestId?: string | undefined;
    idle?: boolean;
  }) {
    const what = init.idle ? `no byte moved for ${init.timeoutMs} ms` : `no answer within ${init.timeoutMs} ms`;
    super(`${init.method} ${init.path} → ${what} (outcome unknown)`);
    this.method = init.method;
    this.path = init.path;
    this.timeoutMs = init.timeoutMs;
    this.idle = init.idle ?? false;
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

/** True when a failed mutating call may still have been applied, so the caller should look the resource up. */
export function isOutcomeUnknown(error: unknown): boolean {
  return (
    (error instanceof ScpNetworkError || error instanceof ScpTimeoutError || error instanceof ScpApiError) &&
    error.outcome === "unknown"
  );
}
