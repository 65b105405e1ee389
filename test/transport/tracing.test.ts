// OpenTelemetry spans when the application has @opentelemetry/api and a tracer provider registered.
import { type Span, SpanStatusCode, type Tracer, type TracerProvider, trace } from "@opentelemetry/api";
import { afterEach, beforeEach, expect, test } from "vitest";
import { testClient } from "../support/client.js";
import { fail, networkFailure, ok, scriptedFetch } from "../support/scripted-fetch.js";

interface Recorded {
  name: string;
  attributes: Record<string, unknown>;
  status: number | undefined;
  exceptions: string[];
  ended: boolean;
}

let spans: Recorded[] = [];

/** A tracer provider that records spans; only what the SDK calls is implemented. */
function recordingProvider(): TracerProvider {
  const tracer = {
    startSpan(name: string) {
      const recorded: Recorded = { name, attributes: {}, status: undefined, exceptions: [], ended: false };
      spans.push(recorded);
      const span = {
        setAttribute: (key: string, value: unknown) => {
          recorded.attributes[key] = value;
          return span;
        },
        setStatus: (status: { code: number }) => {
          recorded.status = status.code;
          return span;
        },
        recordException: (e: { name: string }) => {
          recorded.exceptions.push(e.name);
        },
        end: () => {
          recorded.ended = true;
        },
      };
      return span as unknown as Span;
    },
  } as unknown as Tracer;
  return { getTracer: () => tracer };
}

beforeEach(() => {
  spans = [];
  trace.setGlobalTracerProvider(recordingProvider());
});
afterEach(() => {
  trace.disable();
});

test("each call is one client span with method, path, status, attempts and request id", async () => {
  const fetch = scriptedFetch([fail(503), ok({ task_id: "t", status: "finish" })]);
  await testClient({ fetch }).tasks.get("t");
  expect(spans).toHaveLength(1);
  expect(spans[0]).toMatchObject({
    name: "SCP GET",
    ended: true,
    status: undefined,
    attributes: {
      "http.request.method": "GET",
      "url.path": "/janus/20180725/tasks/t",
      "http.response.status_code": 200,
      "scp.attempts": 2,
      "scp.request_id": fetch.requests[0]?.headers.get("x-request-id"),
    },
  });
});

test("an error answer or a network failure marks the span as an error; a thrown one records its name only", async () => {
  await testClient({ fetch: scriptedFetch([fail(404, "no such task")]) })
    .tasks.get("t")
    .catch(() => undefined);
  await testClient({ fetch: scriptedFetch([networkFailure("ECONNREFUSED")]), retry: false })
    .tasks.get("t")
    .catch(() => undefined);
  expect(spans[0]).toMatchObject({
    status: SpanStatusCode.ERROR,
    attributes: { "http.response.status_code": 404 },
    ended: true,
  });
  expect(spans[1]).toMatchObject({ status: SpanStatusCode.ERROR, exceptions: ["ScpNetworkError"], ended: true });
});

test("tracing: false makes no spans", async () => {
  await testClient({ fetch: scriptedFetch([ok({ task_id: "t", status: "finish" })]), tracing: false }).tasks.get("t");
  expect(spans).toHaveLength(0);
});
