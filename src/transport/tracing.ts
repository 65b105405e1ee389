import { SDK_VERSION } from "../options.js";
import type { CallRecord } from "./call-context.js";

/** A call's span, or a stand-in that does nothing. @internal */
export interface TraceSpan {
  end(record: CallRecord, ended: { status?: number; error?: unknown }): void;
}

interface OtelSpan {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: { name: string; message: string }): unknown;
  end(): void;
}
interface OtelApi {
  trace: { getTracer(name: string, version?: string): { startSpan(name: string, options?: object): OtelSpan } };
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

const NOOP: TraceSpan = { end: () => undefined };
// Loaded once, on the first traced call; absent when the application did not install it.
let api: Promise<OtelApi | undefined> | undefined;
// The same, once settled, so later calls need not wait for a promise.
let loaded: { otel: OtelApi | undefined } | undefined;

// An optional peer dependency, loaded from the application at run time. The specifier is a variable on purpose: an
// application's bundler must not try to resolve (and fail on, or bundle) a package the application may not have.
const OTEL_API = "@opentelemetry/api";

function loadApi(): Promise<OtelApi | undefined> {
  api ??= import(/* webpackIgnore: true */ /* @vite-ignore */ OTEL_API).then(
    (m) => m as unknown as OtelApi,
    () => undefined,
  );
  void api.then((otel) => {
    loaded = { otel };
  });
  return api;
}

/**
 * Starts a client span for one call through `@opentelemetry/api` when the application has it installed: no cost
 * and no dependency otherwise. The span carries method, path, status, attempts and the request id, never a header.
 * @internal
 */
export function startSpan(enabled: boolean, record: CallRecord): TraceSpan | Promise<TraceSpan> {
  if (!enabled) {
    return NOOP;
  }
  if (loaded === undefined) {
    return loadApi().then(() => startSpan(enabled, record));
  }
  const otel = loaded.otel;
  if (!otel) {
    return NOOP;
  }
  const span = otel.trace
    .getTracer("sangfor-scp-sdk", SDK_VERSION)
    .startSpan(`SCP ${record.method}`, { kind: otel.SpanKind.CLIENT });
  return {
    end: (done, ended) => {
      span.setAttribute("http.request.method", done.method);
      span.setAttribute("url.path", done.path);
      span.setAttribute("scp.request_id", done.requestId);
      span.setAttribute("scp.attempts", done.attempts);
      if (ended.status !== undefined) {
        span.setAttribute("http.response.status_code", ended.status);
      }
      if (ended.error !== undefined || (ended.status ?? 0) >= 400) {
        const error = ended.error instanceof Error ? ended.error : undefined;
        if (error) {
          span.recordException({ name: error.name, message: error.message });
        }
        span.setStatus({ code: otel.SpanStatusCode.ERROR, ...(error ? { message: error.name } : {}) });
      }
      span.end();
    },
  };
}
