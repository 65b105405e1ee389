import {
  ScpApiError,
  ScpCbtExpiredError,
  ScpNetworkError,
  ScpPreflightError,
  ScpResponseError,
  ScpSessionCleanupError,
  type ScpSessionLeftover,
  ScpSessionLostError,
  ScpStateError,
  ScpTaskError,
  ScpTimeoutError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../index.js";
import { CliInputError } from "./exit-codes.js";
import type { Output, Paint } from "./output.js";

/** An issue path as the documentation writes it: `pools.0.count`. */
function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

/** An error's issues as the JSON document lists them: each path dotted. */
function issueList(issues: ScpValidationError["issues"]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: dotted(i.path), message: i.message }));
}

/** The fields of an error worth a machine's attention, by kind. */
function details(error: unknown): Record<string, unknown> {
  if (error instanceof CliInputError) {
    return { issues: error.issues, ...(error.source ? { source: error.source } : {}) };
  }
  if (error instanceof ScpValidationError) {
    return { subject: error.subject, issues: issueList(error.issues) };
  }
  if (error instanceof ScpPreflightError) {
    return { workflow: error.workflow, checks: error.checks };
  }
  if (error instanceof ScpWorkflowError) {
    const { workflow, step, target, leftovers, changes } = error;
    const cause = error.cause instanceof Error ? { name: error.cause.name, ...details(error.cause) } : {};
    return { workflow, step, target, leftovers, changes, cause };
  }
  if (error instanceof ScpSessionLostError) {
    return { sessionId: error.sessionId, resourceId: error.resourceId, reason: error.reason };
  }
  if (error instanceof ScpSessionCleanupError) {
    const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
    return { sessionId: error.sessionId, leftovers: error.leftovers, ...(cause ? { cause } : {}) };
  }
  if (error instanceof ScpApiError) {
    const { status, code, requestId, serverRequestId, method, path } = error;
    const cbt = error instanceof ScpCbtExpiredError ? { serverId: error.serverId } : {};
    return { status, code, method, path, requestId, serverRequestId, ...cbt };
  }
  return callDetails(error);
}

/** The fields of the errors a single call or task ends with. */
function callDetails(error: unknown): Record<string, unknown> {
  if (error instanceof ScpNetworkError) {
    const { method, path, code, outcome, requestId } = error;
    return { method, path, code, outcome, requestId };
  }
  if (error instanceof ScpTimeoutError) {
    const { method, path, timeoutMs, idle, outcome, requestId } = error;
    return { method, path, timeoutMs, idle, outcome, requestId };
  }
  if (error instanceof ScpResponseError) {
    const { method, path, status, requestId } = error;
    return { method, path, status, requestId, issues: issueList(error.issues) };
  }
  if (error instanceof ScpTaskError) {
    return { taskId: error.taskId, reason: error.reason };
  }
  if (error instanceof ScpStateError) {
    return { resource: error.resource, expected: error.expected, actual: error.actual };
  }
  if (error instanceof ScpUnsupportedVersionError) {
    const { feature, requiredVersion, actualVersion } = error;
    return { feature, requiredVersion, actualVersion };
  }
  return {};
}

/** The error as the one JSON document of a failed `--json` run. */
export function errorDocument(error: unknown, exitCode: number): { error: Record<string, unknown> } {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { error: { name, message, exitCode, ...details(error) } };
}

/** Something a session or a sweep left on the platform, for people: what, of which VM, why, and until when. */
export function remainsLine(paint: Paint, l: ScpSessionLeftover): string {
  const until = l.expiresAt ? ` (expires ${l.expiresAt})` : "";
  return `  ${paint.yellow("remains")} ${l.kind} ${l.id} of ${l.serverId}: ${l.reason}${until}`;
}

/** The error for people: a first line, then what helps act on it (fields, checks, what was left behind). */
export function errorLines(error: unknown, paint: Paint): string[] {
  const head = (text: string) => `${paint.red(paint.bold("error:"))} ${text}`;
  if (error instanceof CliInputError) {
    const where = error.source ? `${error.source}: ` : "";
    return error.issues.map((i) => head(`${where}${i.path}: ${i.message}`));
  }
  if (error instanceof ScpValidationError) {
    return [head(`invalid ${error.subject}`), ...error.issues.map((i) => `  ${dotted(i.path)}: ${i.message}`)];
  }
  if (error instanceof ScpPreflightError) {
    const checks = error.checks.map((c) =>
      c.ok ? `  ${paint.green("✓")} ${c.name}` : `  ${paint.red("✗")} ${c.name}: ${c.detail}`,
    );
    return [head(`${error.workflow} refused by its preflight; nothing was changed`), ...checks];
  }
  if (error instanceof ScpWorkflowError) {
    const left = error.leftovers.map(
      (l) => `  ${l.state === "removed" ? "removed" : paint.yellow(l.state)} ${l.kind} ${l.id}`,
    );
    return [head(error.message), ...left, ...error.changes.map((c) => `  ${c}`)];
  }
  if (error instanceof ScpSessionCleanupError) {
    const why = error.cause instanceof Error ? [`  after: ${error.cause.message}`] : [];
    const left = error.leftovers.map(
      (l) => `  ${paint.yellow("remains")} ${l.kind} ${l.id} of ${l.serverId}: ${l.reason}`,
    );
    return [head(`session ${error.sessionId} could not remove everything it held`), ...left, ...why];
  }
  if (error instanceof ScpCbtExpiredError) {
    return [head(error.message), "  with scp-proxy: run `backup session` again without --since and with --reset-cbt"];
  }
  return [head(error instanceof Error ? error.message : String(error))];
}

/** Prints a failure: the JSON document on stdout with `--json`, and the lines on stderr in either mode. */
export function reportFailure(out: Output, error: unknown, exitCode: number): void {
  if (out.json) {
    out.document(errorDocument(error, exitCode));
  }
  for (const line of errorLines(error, out.paintErr)) {
    out.error(line);
  }
}
