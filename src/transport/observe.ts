import type { ScpHooks, ScpLogFields, ScpLogger } from "../observability.js";
import type { CallRecord } from "./call-context.js";
import { startSpan, type TraceSpan } from "./tracing.js";

/** Where the transport reports what happens: the logger, the hooks and the tracer, behind one face. @internal */
export interface Observer {
  /** A call starts; returns its span (a no-op without OpenTelemetry). */
  start(record: CallRecord): TraceSpan | Promise<TraceSpan>;
  /** An attempt is about to be sent. */
  attempt(record: CallRecord): void;
  /** An attempt's response headers arrived. */
  response(record: CallRecord, status: number, durationMs: number): void;
  /** An attempt is repeated. */
  retry(record: CallRecord, retry: { attempt: number; reason: string; delayMs: number }): void;
  /** A call ended, with a status or an error. */
  end(record: CallRecord, span: TraceSpan, ended: { status?: number; error?: unknown; durationMs: number }): void;
  /** Anything else worth a line: logins, re-logins. */
  log(level: keyof ScpLogger, fields: ScpLogFields, message: string): void;
}

const base = (record: CallRecord) => ({ requestId: record.requestId, method: record.method, path: record.path });

function endFields(record: CallRecord, ended: { status?: number; error?: unknown; durationMs: number }) {
  return {
    ...base(record),
    attempts: record.attempts,
    durationMs: Math.round(ended.durationMs),
    ...(ended.status === undefined ? {} : { status: ended.status }),
    ...(record.outcome ? { outcome: record.outcome } : {}),
    ...(record.serverRequestId ? { serverRequestId: record.serverRequestId } : {}),
    ...(ended.error === undefined
      ? {}
      : { error: ended.error instanceof Error ? ended.error.name : typeof ended.error }),
  };
}

/**
 * Builds the observer for a client. Events are built only for the logger levels and hooks there are: a client
 * that observes nothing pays nothing per call.
 * @internal
 */
export function createObserver(options: {
  logger: ScpLogger | undefined;
  hooks: ScpHooks;
  tracing: boolean;
}): Observer {
  const { logger, hooks } = options;
  const log: Observer["log"] = (level, fields, message) => {
    try {
      logger?.[level]?.(fields, message);
    } catch {
      // A logger that throws must not break the call it describes.
    }
  };
  const call = <E>(name: "onRequest" | "onResponse" | "onRetry", event: () => E) => {
    const hook = hooks[name] as ((e: E) => void) | undefined;
    if (!hook) {
      return;
    }
    try {
      hook(event());
    } catch (error) {
      log("warn", { hook: name, error: error instanceof Error ? error.name : typeof error }, "hook threw; ignored");
    }
  };
  return {
    start: (record) => startSpan(options.tracing, record),
    attempt: (record) => call("onRequest", () => ({ ...base(record), attempt: record.attempts })),
    response: (record, status, durationMs) =>
      call("onResponse", () => ({ ...base(record), attempt: record.attempts, status, durationMs })),
    retry: (record, retry) => {
      call("onRetry", () => ({ ...base(record), ...retry }));
      if (logger?.warn) {
        log("warn", { ...base(record), ...retry }, "retrying request");
      }
    },
    end: (record, span, ended) => {
      span.end(record, ended);
      if (logger?.debug) {
        log("debug", endFields(record, ended), ended.error === undefined ? "call done" : "call failed");
      }
    },
    log,
  };
}
