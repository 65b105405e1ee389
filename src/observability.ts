import type { Task } from "./generated/schema.js";

/** One structured log line's fields; never headers, bodies or credentials. */
export type ScpLogFields = Record<string, unknown>;

/**
 * Where the SDK logs: the shape of pino and of `console` (fields first, then the message). Every line carries the
 * call's `requestId`; none carries a header, a body or a credential.
 */
export interface ScpLogger {
  /** Each call as it ends (method, path, status, attempts, duration). */
  debug?(fields: ScpLogFields, message: string): void;
  /** Logins. */
  info?(fields: ScpLogFields, message: string): void;
  /** Retries, re-logins and a hook that threw. */
  warn?(fields: ScpLogFields, message: string): void;
  /** Calls that failed. */
  error?(fields: ScpLogFields, message: string): void;
}

/** What {@link ScpHooks} hear about each attempt of a call. */
export interface ScpRequestEvent {
  /** The SDK's id for the call, sent as `X-Request-Id`. */
  requestId: string;
  /** HTTP method. */
  method: string;
  /** Request path without the query string. */
  path: string;
  /** Attempt number, from 1. */
  attempt: number;
}

/** An attempt's answer, for {@link ScpHooks.onResponse}. */
export interface ScpResponseEvent extends ScpRequestEvent {
  /** HTTP status. */
  status: number;
  /** Time from sending to the response headers. */
  durationMs: number;
}

/** A retry about to happen, for {@link ScpHooks.onRetry}. */
export interface ScpRetryEvent extends ScpRequestEvent {
  /** Why the attempt is repeated, e.g. `status 503`. */
  reason: string;
  /** Pause before the next attempt. */
  delayMs: number;
}

/** Callbacks that observe the transport; a hook that throws is logged and otherwise ignored. */
export interface ScpHooks {
  /** Before each attempt is sent. */
  onRequest?(event: ScpRequestEvent): void;
  /** When an attempt's response headers arrive. */
  onResponse?(event: ScpResponseEvent): void;
  /** Before an attempt is repeated. */
  onRetry?(event: ScpRetryEvent): void;
  /** Each time a task is read while waiting for it (`scp.tasks.wait`, and the workflows). */
  onTask?(task: Task): void;
}
