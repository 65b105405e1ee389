// What the transport tells the application: log lines with request ids, hooks, and what survives user middleware.
import { HttpResponse, http } from "msw";
import { afterEach, expect, test, vi } from "vitest";
import {
  createScpClient,
  isOutcomeUnknown,
  ScpApiError,
  ScpResponseError,
  ScpServerError,
  ScpValidationError,
} from "../../src/index.js";
import { testClient } from "../support/client.js";
import { fakeLogin } from "../support/fake-login.js";
import { BASE, useMsw, v1, v1Error } from "../support/msw.js";
import { fail, ok, scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const TASK = { task_id: "t", status: "finish" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

test("middleware that replaces a 502 response keeps the call's method, path and unknown outcome", async () => {
  server.use(http.post(`${BASE}/janus/20180725/servers/:id/start`, () => v1Error(502, "bad gateway")));
  const scp = testClient({ retry: false });
  // A logging middleware that hands on a copy of every response, as many do.
  scp.http.use({ onResponse: async ({ response }) => new Response(await response.clone().text(), response) });
  const error = await scp.servers.start("vm-1").catch((e) => e);
  expect(error).toBeInstanceOf(ScpServerError);
  expect(error.message).toBe("POST /janus/20180725/servers/vm-1/start → 502: bad gateway");
  expect(isOutcomeUnknown(error)).toBe(true);
  expect(error.requestId).toMatch(UUID);
});

test("middleware that replaces a success answer still gets method and path into the error it causes", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1(TASK)));
  const scp = testClient();
  scp.http.use({ onResponse: () => HttpResponse.json({ code: 404, message: "gone", data: {} }, { status: 404 }) });
  await expect(scp.tasks.get("t")).rejects.toMatchObject({
    name: "ScpNotFoundError",
    message: "GET /janus/20180725/tasks/t → 404: gone",
  });
});

test("every log line carries the request id, which is also sent as X-Request-Id", async () => {
  const { logger, lines } = recordingLogger();
  const fetch = scriptedFetch([fail(503), ok(TASK)]);
  await testClient({ fetch, logger }).tasks.get("t");
  const sent = fetch.requests.map((r) => r.headers.get("x-request-id"));
  expect(sent[0]).toMatch(UUID);
  expect(sent[1]).toBe(sent[0]);
  expect(lines.map((l) => [l.level, l.message])).toEqual([
    ["warn", "retrying request"],
    ["debug", "call done"],
  ]);
  for (const line of lines) {
    expect(line.fields.requestId).toBe(sent[0]);
  }
  expect(lines[1]?.fields).toMatchObject({ method: "GET", path: "/janus/20180725/tasks/t", status: 200, attempts: 2 });
});

test("a login logs at info level with its request id and never the password", async () => {
  const password = "Pa55-never-logged";
  const login = fakeLogin({ username: "u", password });
  server.use(
    ...login.handlers,
    http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1(TASK)),
  );
  const { logger, lines } = recordingLogger();
  await createScpClient({ baseUrl: BASE, auth: { type: "token", username: "u", password }, logger }).tasks.get("t");
  const info = lines.filter((l) => l.level === "info");
  expect(info).toEqual([
    { level: "info", fields: { requestId: expect.stringMatching(UUID), loginVersion: "v2" }, message: "logged in" },
  ]);
  expect(JSON.stringify(lines)).not.toContain(password);
  expect(JSON.stringify(lines)).not.toContain(login.calls.tokens[0]);
});

test("SCP_SDK_DEBUG=1 logs to the console when no logger is given; nothing is logged otherwise", async () => {
  const debug = vi.spyOn(console, "debug").mockImplementation(() => undefined);
  await testClient({ fetch: scriptedFetch([ok(TASK)]) }).tasks.get("t");
  expect(debug).not.toHaveBeenCalled();
  vi.stubEnv("SCP_SDK_DEBUG", "1");
  await testClient({ fetch: scriptedFetch([ok(TASK)]) }).tasks.get("t");
  expect(debug).toHaveBeenCalledWith(expect.objectContaining({ requestId: expect.stringMatching(UUID) }), "call done");
});

test("hooks see each attempt, its response and each retry; a hook that throws breaks nothing", async () => {
  const events: string[] = [];
  const scp = testClient({
    fetch: scriptedFetch([fail(503), ok(TASK)]),
    hooks: {
      onRequest: (e) => {
        events.push(`request ${e.method} ${e.path} #${e.attempt}`);
        throw new Error("hook bug");
      },
      onResponse: (e) => events.push(`response ${e.status} #${e.attempt}`),
      onRetry: (e) => events.push(`retry ${e.reason} after #${e.attempt}`),
    },
  });
  await expect(scp.tasks.get("t")).resolves.toMatchObject({ status: "finish" });
  expect(events).toEqual([
    "request GET /janus/20180725/tasks/t #1",
    "response 503 #1",
    "retry status 503 after #1",
    "request GET /janus/20180725/tasks/t #2",
    "response 200 #2",
  ]);
});

test("the onTask hook sees every task read while waiting", async () => {
  const seen: string[] = [];
  const fetch = scriptedFetch([ok({ task_id: "t", status: "doing" }), ok(TASK)]);
  const scp = testClient({ fetch, hooks: { onTask: (task) => seen.push(task.status) } });
  await scp.tasks.wait("t", { pollIntervalMs: 1 });
  expect(seen).toEqual(["doing", "finish"]);
});

test("per-call timeoutMs and retry override the client's", async () => {
  const hanging = scriptedFetch([
    (request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      }),
  ]);
  const timedOut = await testClient({ fetch: hanging, timeoutMs: 60_000, retry: false })
    .tasks.get("t", { timeoutMs: 20 })
    .catch((e) => e);
  expect(timedOut).toMatchObject({ name: "ScpTimeoutError", timeoutMs: 20 });

  const flaky = scriptedFetch([fail(503), fail(503), ok(TASK)]);
  const noRetries = testClient({ fetch: flaky, retry: { retries: 0 } });
  await expect(noRetries.tasks.get("t")).rejects.toBeInstanceOf(ScpApiError);
  await expect(
    noRetries.tasks.get("t", { retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 } }),
  ).resolves.toMatchObject({ status: "finish" });
  expect(flaky.requests).toHaveLength(3);

  const once = scriptedFetch([fail(503), ok(TASK)]);
  await expect(testClient({ fetch: once }).tasks.get("t", { retry: false })).rejects.toBeInstanceOf(ScpServerError);
  expect(once.requests).toHaveLength(1);
});

test("the escape hatch types what openapi-fetch throws: a request it cannot build is refused unsent", async () => {
  const fetch = scriptedFetch([HttpResponse.text("not json", { headers: { "content-type": "application/json" } })]);
  const scp = testClient({ fetch });
  const path = "/janus/20180725/tasks/{task_id}";
  const params = { path: { task_id: "t-1" } };
  const refusals = [
    () => scp.http.GET(path, { params, headers: { "X-Note": "a\r\nX-Evil: 1" } }),
    () => scp.http.GET(path, { params, signal: "stop" as unknown as AbortSignal }),
    () => scp.http.POST("/janus/20180725/images", { body: { name: 1n } as never }),
  ];
  for (const call of refusals) {
    await expect(call()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(() => scp.http.use({ onRequest: "log" } as never)).toThrow(ScpValidationError);
  expect(() => scp.http.use(5 as never)).toThrow(ScpValidationError);
  expect(fetch.requests).toHaveLength(0);
  // After sending, an answer openapi-fetch cannot read is a response error.
  await expect(scp.http.GET(path, { params })).rejects.toBeInstanceOf(ScpResponseError);
});
