import { HttpResponse, http } from "msw";
import { afterEach, expect, test, vi } from "vitest";
import { createScpClient, ScpAuthError } from "../../src/index.js";
import { fakeLogin } from "../support/fake-login.js";
import { BASE, useMsw } from "../support/msw.js";

const server = useMsw();
const USER = { username: "backup-admin", password: "P@ssw0rd-SECRET-xyz" };
const TASK = { task_id: "t-1", status: "finish" };

function tokenClient(loginVersion?: "auto" | "v1" | "v2") {
  return createScpClient({
    baseUrl: BASE,
    auth: { type: "token", ...USER, ...(loginVersion ? { loginVersion } : {}) },
    retry: { minDelayMs: 0, maxDelayMs: 0 },
  });
}

/** A task endpoint that accepts only the tokens the fake login issued, and records what it saw. */
function taskEndpoint(valid: () => string[], seen: string[]) {
  return http.get(`${BASE}/janus/20180725/tasks/:id`, ({ request }) => {
    const auth = request.headers.get("authorization") ?? "";
    seen.push(auth);
    const token = auth.replace(/^Token /, "");
    if (!valid().includes(token)) {
      return HttpResponse.json({ code: 401, message: "token expired", data: {} }, { status: 401 });
    }
    return HttpResponse.json({ code: 0, message: "", data: TASK });
  });
}

afterEach(() => {
  vi.useRealTimers();
});

test("auto login uses v2 (OAEP) where the platform has it and sends the token", async () => {
  const login = fakeLogin(USER);
  const seen: string[] = [];
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, seen),
  );
  await tokenClient().tasks.get("t-1");
  expect(login.calls.authenticate).toEqual({ v1: 0, v2: 1 });
  expect(seen).toEqual([`Token ${login.calls.tokens[0]}`]);
});

test("auto login falls back to v1 (PKCS#1 v1.5) where v2 is missing, and remembers it", async () => {
  const login = fakeLogin({ ...USER, v2: false });
  const seen: string[] = [];
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, seen),
  );
  const scp = tokenClient();
  await scp.tasks.get("t-1");
  expect(login.calls.authenticate.v1).toBe(1);
  expect(seen).toHaveLength(1);
});

test("loginVersion v1 goes straight to the v1 endpoints", async () => {
  const login = fakeLogin(USER);
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, []),
  );
  await tokenClient("v1").tasks.get("t-1");
  expect(login.calls.publicKey).toEqual({ v1: 1, v2: 0 });
  expect(login.calls.authenticate).toEqual({ v1: 1, v2: 0 });
});

test("ten concurrent first calls cause exactly one login", async () => {
  const login = fakeLogin(USER);
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, []),
  );
  const scp = tokenClient();
  await Promise.all(Array.from({ length: 10 }, () => scp.tasks.get("t-1")));
  expect(login.calls.authenticate.v2).toBe(1);
  expect(login.calls.publicKey.v2).toBe(1);
});

test("a 401 causes one re-login and one replay; the public key stays cached", async () => {
  const login = fakeLogin(USER);
  const seen: string[] = [];
  // The platform has forgotten the first token it issued (a restart, say).
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens.slice(1), seen),
  );
  await expect(tokenClient().tasks.get("t-1")).resolves.toMatchObject({ status: "finish" });
  expect(login.calls.authenticate.v2).toBe(2);
  expect(login.calls.publicKey.v2).toBe(1);
  expect(seen).toEqual(login.calls.tokens.map((t) => `Token ${t}`));
});

test("a second 401 is an ScpAuthError, not a loop", async () => {
  const login = fakeLogin(USER);
  const seen: string[] = [];
  server.use(
    ...login.handlers,
    taskEndpoint(() => [], seen),
  );
  const error = await tokenClient()
    .tasks.get("t-1")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpAuthError);
  expect(error.status).toBe(401);
  expect(seen).toHaveLength(2);
  expect(login.calls.authenticate.v2).toBe(2);
});

test("the token's expires is honoured: a token near its end is renewed before use", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-27T10:00:00Z"));
  const login = fakeLogin({ ...USER, expiresInMs: 10 * 60_000 });
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, []),
  );
  const scp = tokenClient();
  await scp.tasks.get("t-1");
  vi.setSystemTime(new Date("2026-11-27T10:05:00Z"));
  await scp.tasks.get("t-1");
  expect(login.calls.authenticate.v2).toBe(1);
  vi.setSystemTime(new Date("2026-11-27T10:09:30Z"));
  await scp.tasks.get("t-1");
  expect(login.calls.authenticate.v2).toBe(2);
  expect(login.calls.publicKey.v2).toBe(1);
});

test("a server clock hours behind UTC does not make every call log in again", async () => {
  for (const issuedAt of [true, false]) {
    const login = fakeLogin({ ...USER, expiresInMs: 3_600_000, serverClockOffsetMs: -8 * 3_600_000, issuedAt });
    server.use(
      ...login.handlers,
      taskEndpoint(() => login.calls.tokens, []),
    );
    const scp = tokenClient();
    for (let i = 0; i < 5; i++) {
      await scp.tasks.get("t-1");
    }
    expect(login.calls.authenticate.v2).toBe(1);
  }
});

test("with issued_at, the lifetime (expires - issued_at) is honoured on the local clock", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-27T10:00:00Z"));
  const login = fakeLogin({ ...USER, expiresInMs: 10 * 60_000, serverClockOffsetMs: 5 * 3_600_000, issuedAt: true });
  server.use(
    ...login.handlers,
    taskEndpoint(() => login.calls.tokens, []),
  );
  const scp = tokenClient();
  await scp.tasks.get("t-1");
  vi.setSystemTime(new Date("2026-11-27T10:05:00Z"));
  await scp.tasks.get("t-1");
  expect(login.calls.authenticate.v2).toBe(1);
  vi.setSystemTime(new Date("2026-11-27T10:09:30Z"));
  await scp.tasks.get("t-1");
  expect(login.calls.authenticate.v2).toBe(2);
});

test("a wrong password is an ScpAuthError that does not contain the password", async () => {
  const login = fakeLogin({ ...USER, password: "something else" });
  server.use(...login.handlers);
  const error = await tokenClient()
    .tasks.get("t-1")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpAuthError);
  expect(error.message).toBe("POST /janus/v2/authenticate → 401: username or password is wrong");
  expect(JSON.stringify(error) + String(error) + error.stack).not.toContain(USER.password);
});
