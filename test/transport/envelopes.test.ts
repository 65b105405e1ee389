import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { ScpApiError, ScpNotFoundError, ScpResponseError, ScpServerError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, useMsw, v1, v1Error, v2, v2Error } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const VM = { id: "5d0c1f0e-0000-4000-8000-000000000001", name: "proxy-1", os_name: "Backup Proxy", vtool_installed: 1 };

test("a V2 envelope (errcode empty) yields its data", async () => {
  server.use(http.get(`${BASE}/janus/20240725/servers/:id`, () => v2(VM)));
  await expect(testClient().servers.get(VM.id)).resolves.toEqual(VM);
});

test("a V2 envelope with errcode null is a success too", async () => {
  server.use(
    http.get(`${BASE}/janus/20240725/servers/:id`, () => HttpResponse.json({ errcode: null, message: "", data: VM })),
  );
  await expect(testClient().servers.get(VM.id)).resolves.toEqual(VM);
});

test("a V1 envelope (code 0) yields its data", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1({ task_id: "t", status: "doing", progress: 40 })));
  await expect(testClient().tasks.get("t")).resolves.toEqual({ task_id: "t", status: "doing", progress: 40 });
});

test("V1 and V2 error envelopes become typed errors with method, path, status and message", async () => {
  server.use(
    http.get(`${BASE}/janus/20240725/servers/:id`, () => v2Error(404, "云主机不存在")),
    http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1Error(500, "internal error")),
  );
  const notFound = await testClient()
    .servers.get(VM.id)
    .catch((e) => e);
  expect(notFound).toBeInstanceOf(ScpNotFoundError);
  expect(notFound).toMatchObject({ status: 404, code: "404", method: "GET", path: `/janus/20240725/servers/${VM.id}` });
  expect(notFound.message).toBe(`GET /janus/20240725/servers/${VM.id} → 404: 云主机不存在`);
  const failed = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(failed).toBeInstanceOf(ScpServerError);
  expect(failed.code).toBe(500);
});

test("an error envelope inside a 200 answer is an error with the envelope's status", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/tasks/:id`, () =>
      HttpResponse.json({ code: 404, message: "task not found", data: {} }),
    ),
  );
  const error = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpNotFoundError);
  expect(error.status).toBe(404);
});

test("an HTML error page from a proxy still yields a typed error", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/tasks/:id`, () =>
      HttpResponse.html("<html><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>", { status: 502 }),
    ),
  );
  const error = await testClient({ retry: false })
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpServerError);
  expect(error.status).toBe(502);
  expect(error.message).toContain("502 Bad Gateway");
});

test("an HTML page in a 200 answer is an ScpResponseError, not a crash", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => HttpResponse.html("<html>login</html>")));
  const error = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.message).toContain("success body is not JSON (text/html");
});

test("a body without an envelope is an ScpResponseError", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => HttpResponse.json({ task_id: "t", status: "finish" })));
  await expect(testClient().tasks.get("t")).rejects.toThrow("not an SCP envelope");
});

test("a payload that fails the runtime gate names the field", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1({ task_id: "t", status: "exploded" })));
  const error = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.issues[0].path).toEqual(["data", "status"]);
});

test("the server's request id header and the SDK's own request id are kept on API errors", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/tasks/:id`, () =>
      HttpResponse.json(
        { code: 403, message: "forbidden", data: {} },
        { status: 403, headers: { "X-Request-Id": "req-77" } },
      ),
    ),
  );
  const error = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toMatchObject({ name: "ScpAuthError", serverRequestId: "req-77" });
  // The SDK's own id, sent as X-Request-Id and logged, is on the error too.
  expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
});

test("a 204 delete without a body yields no task id", async () => {
  server.use(http.delete(`${BASE}/janus/20180725/servers/:id`, () => new HttpResponse(null, { status: 204 })));
  await expect(testClient().servers.delete(VM.id, { force: true })).resolves.toEqual({ taskId: undefined });
});

test("a 204 delete that does carry a JSON body yields its task id", async () => {
  // Node's Response refuses a 204 with a body, but another fetch implementation may deliver one.
  const body = JSON.stringify({ code: 0, message: "", data: { task_id: "del-1" } });
  const bodyOn204 = () => {
    const real = Response.json(JSON.parse(body));
    return new Proxy(real, {
      get: (target, key) => {
        if (key === "status") {
          return 204;
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  const fetch = scriptedFetch([bodyOn204]);
  await expect(testClient({ fetch }).servers.delete(VM.id)).resolves.toEqual({ taskId: "del-1" });
  expect(fetch.bodies[0]).toBe('{"force":0}');
});

test("an API error carries no response body or headers in its message", async () => {
  server.use(http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1Error(400, "x".repeat(500))));
  const error = await testClient()
    .tasks.get("t")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpApiError);
  expect(error.message.length).toBeLessThan(300);
  expect(error.serverMessage).toHaveLength(500);
});
