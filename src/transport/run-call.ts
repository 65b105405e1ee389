import { randomUUID } from "node:crypto";
import { ScpError, scrubText } from "../errors/base.js";
import { ScpResponseError, ScpValidationError } from "../errors/call.js";
import type { RequestOptions, ScpFetch } from "../options.js";
import type { ResolvedOptions, ResolvedRequest } from "../resolve-options.js";
import { type BodySource, type CallPolicy, type CallRecord, newRecord, type Send } from "./call-context.js";
import { TYPED_BY_CALLER } from "./http-client.js";
import type { Observer } from "./observe.js";
import { redactError } from "./redact.js";
import type { TraceSpan } from "./tracing.js";
import type { Called, FetchResult } from "./unwrap.js";

/**
 * What a call passes to one openapi-fetch method: our fetch and the idempotency token. Not the caller's signal: the
 * transport carries it itself, and a Request made with it would hang a listener on the caller's signal until that
 * Request is garbage-collected (a fleet's run-long signal gathered thousands, each making the next one dearer).
 * @internal
 */
export interface CallInit {
  fetch: ScpFetch;
  headers?: Record<string, string>;
}

/** Runs one openapi-fetch call; the transport hands it the init to spread into the call's options. @internal */
export type CallRun<R extends FetchResult> = (init: CallInit) => Promise<R>;

/** Sends one call and returns its result with the call's record; throws typed, secret-free errors only. @internal */
export type SendCall = <R extends FetchResult>(
  run: CallRun<R>,
  options?: RequestOptions,
  overrides?: RunOverrides,
) => Promise<Called<R>>;

/** A pipeline to send calls on, with the client's settings and observer. @internal */
export interface Pipeline {
  readonly send: Send;
  readonly options: ResolvedOptions;
  readonly observer: Observer;
}

interface CallState {
  readonly policy: CallPolicy;
  readonly record: CallRecord;
  readonly signal: AbortSignal | undefined;
  readonly source: BodySource | undefined;
  span: TraceSpan | undefined;
}

const MUTATING = new Set(["POST", "PUT", "PATCH"]);

/** Turns openapi-fetch's Request into what the pipeline sends, once per call, and sends it. */
async function enter(p: Pipeline, request: Request, state: CallState): Promise<Response> {
  const url = new URL(request.url);
  const { record } = state;
  record.method = request.method;
  record.path = url.pathname;
  if (state.span === undefined) {
    const span = p.observer.start(record);
    state.span = span instanceof Promise ? await span : span;
  }
  const headers = new Headers(request.headers);
  headers.set("User-Agent", p.options.userAgent);
  headers.set("X-Request-Id", record.requestId);
  // One idempotency token per logical call, reused by every retry and replay of it.
  if (MUTATING.has(request.method) && !headers.has("x-client-token")) {
    headers.set("X-Client-Token", randomUUID());
  }
  if (state.source) {
    headers.set("Content-Type", "application/octet-stream");
  }
  const body = state.source || request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
  const outgoing = { method: request.method, url, headers, body, source: state.source };
  return p.send(outgoing, { policy: state.policy, record, signal: state.signal, deadline: undefined });
}

/**
 * Makes every failure of a call a typed, secret-free error: the caller's abort is rethrown as its reason; a
 * failure before anything was sent (a request openapi-fetch or `Headers` could not build) is a validation error;
 * a failure after (a success body that is not JSON) is a response error.
 */
function typedError(error: unknown, state: CallState): unknown {
  if (state.signal?.aborted) {
    return state.signal.reason;
  }
  const { record } = state;
  if (error instanceof ScpError) {
    return redactError(error, record.secrets);
  }
  // Quoted parts of a message (a header value, say) are dropped: they may hold anything.
  const text = scrubText(error instanceof Error ? error.message : String(error), record.secrets).replace(
    /"[^"]*"/g,
    "…",
  );
  if (record.attempts === 0) {
    return new ScpValidationError({ subject: "request", issues: [{ path: [], message: text }] });
  }
  const message = error instanceof SyntaxError ? "success body is not JSON" : text;
  return new ScpResponseError({
    method: record.method,
    path: record.path,
    status: 0,
    requestId: record.requestId,
    issues: [{ path: [], message }],
  });
}

function newState(p: Pipeline, request: ResolvedRequest, overrides: RunOverrides): CallState {
  const record = newRecord(randomUUID());
  overrides.onRequestId?.(record.requestId);
  for (const secret of overrides.secrets ?? []) {
    record.secrets.add(secret);
  }
  const policy: CallPolicy = {
    timeoutMs: overrides.timeoutMs ?? request.timeoutMs,
    retry: request.retry,
    streamResponse: overrides.streamResponse ?? false,
    maxResponseBytes: p.options.maxResponseBytes,
    holdIdle: overrides.holdIdle,
  };
  return { policy, record, signal: request.signal, source: overrides.source, span: undefined };
}

/** Per-call changes that only transfers and the login need. @internal */
export interface RunOverrides {
  /** Send this stream as the body, reopened for each attempt. */
  source?: BodySource;
  /** Leave the response body unread for the caller (a download). */
  streamResponse?: boolean;
  /** Credentials this call carries in its body (a login's password), kept out of its errors. */
  secrets?: readonly string[];
  /** Replaces the per-attempt limit; 0 for none (a transfer watches for stalls itself). */
  timeoutMs?: number;
  /** Called when the transport waits on something other than the call's bytes; the result ends the wait. */
  holdIdle?: () => () => void;
  /** Told the call's id (its `X-Request-Id`) before anything is sent: for errors the caller makes itself. */
  onRequestId?: (requestId: string) => void;
}

/**
 * Runs one openapi-fetch call on a per-call fetch bound to the call's record, and returns its result with the
 * record. Every failure comes out typed and free of the credentials the call sent.
 * @internal
 */
export async function runCall<R extends FetchResult>(
  p: Pipeline,
  run: CallRun<R>,
  request: ResolvedRequest,
  overrides: RunOverrides = {},
): Promise<Called<R>> {
  const state = newState(p, request, overrides);
  const started = performance.now();
  const init = {
    // This call types its own failures (see typedError): the typed escape hatch lets them through as they are.
    fetch: Object.assign((req: Request) => enter(p, req, state), { [TYPED_BY_CALLER]: true }),
    ...(request.clientToken ? { headers: { "X-Client-Token": request.clientToken } } : {}),
  };
  try {
    const result = await run(init);
    p.observer.end(state.record, state.span ?? NO_SPAN, {
      status: result.response.status,
      durationMs: performance.now() - started,
    });
    return Object.assign(result, { record: state.record });
  } catch (error) {
    const typed = typedError(error, state);
    p.observer.end(state.record, state.span ?? NO_SPAN, { error: typed, durationMs: performance.now() - started });
    throw typed;
  }
}

const NO_SPAN: TraceSpan = { end: () => undefined };

/**
 * The fetch behind `scp.http` (the escape hatch): the same pipeline and error typing, without unwrapping.
 * @internal
 */
export function pipelineFetch(p: Pipeline, request: ResolvedRequest): ScpFetch {
  return async (req) => {
    const state = newState(p, { ...request, signal: req.signal }, {});
    const started = performance.now();
    try {
      const response = await enter(p, req, state);
      p.observer.end(state.record, state.span ?? NO_SPAN, {
        status: response.status,
        durationMs: performance.now() - started,
      });
      return response;
    } catch (error) {
      const typed = typedError(error, state);
      p.observer.end(state.record, state.span ?? NO_SPAN, { error: typed, durationMs: performance.now() - started });
      throw typed;
    }
  };
}
