import { getEventListeners } from "node:events";
import { afterEach, expect, test, vi } from "vitest";
import {
  isOutcomeUnknown,
  ScpNetworkError,
  ScpRateLimitError,
  ScpServerError,
  ScpTimeoutError,
} from "../../src/index.js";
import { testClient } from "../support/client.js";
import { fail, hangingFetch, networkFailure, ok, scriptedFetch } from "../support/scripted-fetch.js";

const TASK = { task_id: "t-1", status: "finish", progress: 100 };
const startVm = (scp: ReturnType<typeof testClient>) => scp.servers.start("vm-1");
const readTask = (scp: ReturnType<typeof testClient>) => scp.tasks.get("t-1");

afterEach(() => {
  vi.useRealTimers();
});

test.each([408, 429, 502, 503, 504])("a GET answered %i is retried and then succeeds", async (status) => {
  const fetch = scriptedFetch([fail(status), ok(TASK)]);
  const task = await readTask(testClient({ fetch }));
  expect(task.status).toBe("finish");
  expect(fetch.requests).toHaveLength(2);
});

test("a GET that keeps failing ends with the typed error of the last answer after retries+1 attempts", async () => {
  const fetch = scriptedFetch([fail(503, "busy")]);
  const error = await readTask(testClient({ fetch, retry: { retries: 3, minDelayMs: 0, maxDelayMs: 0 } })).catch(
    (e) => e,
  );
  expect(error).toBeInstanceOf(ScpServerError);
  expect(error.status).toBe(503);
  expect(error.message).toBe("GET /janus/20180725/tasks/t-1 → 503: busy");
  expect(fetch.requests).toHaveLength(4);
});

test("500 and 4xx answers are not retried", async () => {
  for (const status of [500, 400, 404]) {
    const fetch = scriptedFetch([fail(status), ok(TASK)]);
    await expect(readTask(testClient({ fetch }))).rejects.toMatchObject({ status });
    expect(fetch.requests).toHaveLength(1);
  }
});

test("retry: false makes exactly one attempt", async () => {
  const fetch = scriptedFetch([fail(503), ok(TASK)]);
  await expect(readTask(testClient({ fetch, retry: false }))).rejects.toBeInstanceOf(ScpServerError);
  expect(fetch.requests).toHaveLength(1);
});

test("Retry-After in seconds replaces the backoff", async () => {
  vi.useFakeTimers();
  const warn = vi.fn();
  const fetch = scriptedFetch([fail(429, "request limit reached", { "Retry-After": "3" }), ok(TASK)]);
  const pending = readTask(testClient({ fetch, logger: { warn } }));
  await vi.advanceTimersByTimeAsync(2_999);
  expect(fetch.requests).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  await expect(pending).resolves.toMatchObject({ status: "finish" });
  expect(warn).toHaveBeenCalledWith(
    expect.objectContaining({ delayMs: 3_000, reason: "status 429", requestId: expect.any(String) }),
    "retrying request",
  );
});

test("Retry-After as an HTTP date is honoured", async () => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-11-27T10:00:00Z"));
  const fetch = scriptedFetch([fail(503, "busy", { "Retry-After": "Fri, 27 Nov 2026 10:00:05 GMT" }), ok(TASK)]);
  const pending = readTask(testClient({ fetch }));
  await vi.advanceTimersByTimeAsync(4_990);
  expect(fetch.requests).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(10);
  await expect(pending).resolves.toMatchObject({ status: "finish" });
});

test("a Retry-After beyond the cap is reported instead of waited for", async () => {
  const fetch = scriptedFetch([fail(429, "request limit reached", { "Retry-After": "3600" }), ok(TASK)]);
  const error = await readTask(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpRateLimitError);
  expect(error.retryAfterMs).toBe(3_600_000);
  expect(fetch.requests).toHaveLength(1);
});

test("a POST answered 503 is retried with the same X-Client-Token", async () => {
  const fetch = scriptedFetch([fail(503), fail(503), ok({ task_id: "t-9" }, 201)]);
  const ref = await startVm(testClient({ fetch }));
  expect(ref).toEqual({ taskId: "t-9" });
  const tokens = fetch.requests.map((r) => r.headers.get("x-client-token"));
  expect(tokens).toHaveLength(3);
  expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(new Set(tokens).size).toBe(1);
});

test("separate logical POSTs carry different X-Client-Tokens", async () => {
  const fetch = scriptedFetch([ok({ task_id: "a" }, 201), ok({ task_id: "b" }, 201)]);
  const scp = testClient({ fetch });
  await startVm(scp);
  await startVm(scp);
  const [a, b] = fetch.requests.map((r) => r.headers.get("x-client-token"));
  expect(a).not.toBe(b);
});

test("a POST rate-limited on its fresh token is retried", async () => {
  const fetch = scriptedFetch([fail(429, "request limit reached"), ok({ task_id: "t-2" }, 201)]);
  await expect(startVm(testClient({ fetch }))).resolves.toEqual({ taskId: "t-2" });
  expect(fetch.requests).toHaveLength(2);
});

test("a POST refused by the idempotency check ends with the outcome unknown", async () => {
  const fetch = scriptedFetch([
    fail(429, "request limit reached or idempotency check failed"),
    ok({ task_id: "x" }, 201),
  ]);
  const error = await startVm(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpRateLimitError);
  expect(isOutcomeUnknown(error)).toBe(true);
  expect(fetch.requests).toHaveLength(1);
});

test("a 429 to a retried (reused) token ends with the outcome unknown", async () => {
  const fetch = scriptedFetch([fail(503), fail(429, "request limit reached"), ok({ task_id: "x" }, 201)]);
  const error = await startVm(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpRateLimitError);
  expect(error.outcome).toBe("unknown");
  expect(fetch.requests).toHaveLength(2);
});

test.each([502, 504, 408])(
  "a POST answered %i by a proxy is not retried and says the outcome is unknown",
  async (status) => {
    const fetch = scriptedFetch([fail(status), ok({ task_id: "x" }, 201)]);
    const error = await startVm(testClient({ fetch })).catch((e) => e);
    expect(isOutcomeUnknown(error)).toBe(true);
    expect(fetch.requests).toHaveLength(1);
  },
);

test("a POST whose connection was refused is retried: it never left", async () => {
  const fetch = scriptedFetch([networkFailure("ECONNREFUSED"), ok({ task_id: "t-3" }, 201)]);
  await expect(startVm(testClient({ fetch }))).resolves.toEqual({ taskId: "t-3" });
  expect(fetch.requests).toHaveLength(2);
});

test("a POST reset after sending is not retried and says the outcome is unknown", async () => {
  const fetch = scriptedFetch([networkFailure("ECONNRESET"), ok({ task_id: "x" }, 201)]);
  const error = await startVm(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(error.outcome).toBe("unknown");
  expect(error.code).toBe("ECONNRESET");
  expect(error.message).toBe(
    "POST /janus/20180725/servers/vm-1/start → network error (outcome unknown): connect ECONNRESET 127.0.0.1:4430",
  );
  expect(fetch.requests).toHaveLength(1);
});

test("a GET reset mid-way is retried", async () => {
  const fetch = scriptedFetch([networkFailure("ECONNRESET"), networkFailure("ECONNREFUSED"), ok(TASK)]);
  await expect(readTask(testClient({ fetch }))).resolves.toMatchObject({ status: "finish" });
  expect(fetch.requests).toHaveLength(3);
});

test("a certificate failure is not retried", async () => {
  const fetch = scriptedFetch([networkFailure("DEPTH_ZERO_SELF_SIGNED_CERT"), ok(TASK)]);
  const error = await readTask(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(error.outcome).toBe("not-sent");
  expect(fetch.requests).toHaveLength(1);
});

test("a GET that times out is retried, then fails with ScpTimeoutError", async () => {
  const fetch = hangingFetch();
  const error = await readTask(testClient({ fetch, timeoutMs: 20 })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpTimeoutError);
  expect(error).toMatchObject({ timeoutMs: 20, idle: false });
  expect(error.message).toContain("no answer within 20 ms");
  expect(fetch.calls).toBe(3);
});

test("a POST that times out is not retried: the outcome is unknown", async () => {
  const fetch = hangingFetch();
  const error = await startVm(testClient({ fetch, timeoutMs: 20 })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpTimeoutError);
  expect(isOutcomeUnknown(error)).toBe(true);
  expect(fetch.calls).toBe(1);
});

test("an abort during a request rejects with the caller's reason and is not retried", async () => {
  const fetch = hangingFetch();
  const controller = new AbortController();
  const reason = new Error("user cancelled");
  const pending = testClient({ fetch }).tasks.get("t-1", { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 5);
  await expect(pending).rejects.toBe(reason);
  expect(fetch.calls).toBe(1);
});

test("an abort during the backoff stops retrying at once", async () => {
  const fetch = scriptedFetch([fail(503), ok(TASK)]);
  const controller = new AbortController();
  const reason = new Error("stop");
  const scp = testClient({ fetch, retry: { retries: 2, minDelayMs: 10_000, maxDelayMs: 10_000 } });
  const pending = scp.tasks.get("t-1", { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 20);
  await expect(pending).rejects.toBe(reason);
  expect(fetch.requests).toHaveLength(1);
});

test("calls leave no listener on the caller's signal, however many use it", async () => {
  // A fleet passes one run-long signal to every call: each call must unhook itself when it ends.
  const controller = new AbortController();
  const scp = testClient({ fetch: scriptedFetch([ok(TASK)]) });
  for (let i = 0; i < 20; i++) {
    await scp.tasks.get("t-1", { signal: controller.signal });
  }
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
});

/** A 200 whose body breaks after the headers, like a connection dropped mid-answer. */
const cutBody = () =>
  new Response(
    new ReadableStream({
      pull(controller) {
        controller.error(new TypeError("terminated"));
      },
    }),
    { status: 200, headers: { "content-type": "application/json" } },
  );

test("a GET whose answer is cut after the headers is retried", async () => {
  const fetch = scriptedFetch([cutBody, ok(TASK)]);
  await expect(readTask(testClient({ fetch }))).resolves.toMatchObject({ status: "finish" });
  expect(fetch.requests).toHaveLength(2);
});

test("a POST whose answer is cut after the headers reports an unknown outcome, not a raw TypeError", async () => {
  const fetch = scriptedFetch([cutBody, ok({ task_id: "x" }, 201)]);
  const error = await startVm(testClient({ fetch })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(isOutcomeUnknown(error)).toBe(true);
  expect(fetch.requests).toHaveLength(1);
});

test("a caller's clientToken is sent as the X-Client-Token, so a resend of a lost call is deduplicated", async () => {
  const fetch = scriptedFetch([ok({ task_id: "a" }, 201)]);
  await testClient({ fetch }).servers.start("vm-1", { clientToken: "token-from-caller" });
  expect(fetch.requests[0]?.headers.get("x-client-token")).toBe("token-from-caller");
});
