import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { encryptPassword, loginToken, rawClient } from "./support.js";

const BASE = "https://scp.token.test";
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("token login", () => {
  it("serves each modulus as hex with a trailing newline (v1 upper-case, v2 lower-case)", async () => {
    const sim = createScpSimulator({ serverCount: 0 });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    const v1 = (await anon("GET", "/janus/public-key")).body.data.public_key as string;
    const v2 = (await anon("GET", "/janus/v2/public-key")).body.data.public_key as string;
    expect(v1).toMatch(/^[0-9A-F]{512}\n$/);
    expect(v2).toMatch(/^[0-9a-f]{512}\n$/);
    expect(v1.toLowerCase()).not.toBe(v2);
  });

  it.each(["v1", "v2"] as const)(
    "logs in with a real RSA %s ciphertext and the token opens the API",
    async (version) => {
      const sim = createScpSimulator({ serverCount: 0 });
      const token = await loginToken(sim.fetch, BASE, sim.credentials, version);
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      const call = rawClient(sim.fetch, BASE, { type: "token", token });
      expect((await call("GET", "/janus/20180725/system/version")).status).toBe(200);
    },
  );

  it("answers the login with the tenant, the user and local-time issue and expiry", async () => {
    const clock = manualClock();
    const sim = createScpSimulator({ serverCount: 0, clock: clock.now, tokenTtlMs: 3_600_000 });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    const key = await anon("GET", "/janus/public-key");
    const password = encryptPassword(key.body.data.public_key, sim.credentials.password, "v1");
    const login = await anon("POST", "/janus/authenticate", {
      json: { auth: { passwordCredentials: { username: sim.credentials.username, password } } },
    });
    const { token, user } = login.body.data.access;
    expect(token.tenant).toMatchObject({ id: sim.adminProjectId, name: "admin", enabled: true });
    expect(user.name).toBe(sim.credentials.username);
    expect(token.issued_at).toMatch(LOCAL_TIME);
    expect(token.expires).toBe("2026-01-01T01:00:00.000000");
  });

  it("refuses a wrong password, a v1 ciphertext on the v2 login, and never echoes secrets", async () => {
    const sim = createScpSimulator({ serverCount: 0 });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    const v1Key = (await anon("GET", "/janus/public-key")).body.data.public_key;
    const login = (path: string, password: string) =>
      anon("POST", path, { json: { auth: { passwordCredentials: { username: sim.credentials.username, password } } } });
    const wrong = await login("/janus/authenticate", encryptPassword(v1Key, "guess-123", "v1"));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ code: 401, message: "wrong user name or password", data: {} });
    const crossed = await login("/janus/v2/authenticate", encryptPassword(v1Key, sim.credentials.password, "v1"));
    expect(crossed.status).toBe(401);
    expect(JSON.stringify([wrong.body, crossed.body])).not.toContain(sim.credentials.password);
  });

  it("expires tokens after tokenTtlMs", async () => {
    const clock = manualClock();
    const sim = createScpSimulator({ serverCount: 0, clock: clock.now, tokenTtlMs: 60_000 });
    const token = await loginToken(sim.fetch, BASE, sim.credentials);
    const call = rawClient(sim.fetch, BASE, { type: "token", token });
    clock.advance(59_999);
    expect((await call("GET", "/janus/20180725/azs")).status).toBe(200);
    clock.advance(1);
    const expired = await call("GET", "/janus/20180725/azs");
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
  });

  it("rate-limits public-key reads (v1 and v2 together) with 403 until the minute ends", async () => {
    const clock = manualClock();
    const sim = createScpSimulator({ serverCount: 0, clock: clock.now, publicKeyRateLimitPerMinute: 3 });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    const statuses = [];
    for (const path of ["/janus/public-key", "/janus/v2/public-key", "/janus/public-key", "/janus/v2/public-key"]) {
      statuses.push((await anon("GET", path)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 403]);
    clock.advance(30_000);
    expect((await anon("GET", "/janus/public-key")).status).toBe(403);
    clock.advance(30_000);
    expect((await anon("GET", "/janus/public-key")).status).toBe(200);
  });

  it("has no v2 login on platforms older than its minimum version", async () => {
    const sim = createScpSimulator({ serverCount: 0, scpVersion: "6.11.1" });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    expect((await anon("GET", "/janus/v2/public-key")).status).toBe(200);
    expect((await anon("POST", "/janus/v2/authenticate", { json: {} })).status).toBe(404);
    sim.faults.setScpVersion("6.7.0");
    expect((await anon("GET", "/janus/v2/public-key")).status).toBe(404);
    await expect(loginToken(sim.fetch, BASE, sim.credentials, "v1")).resolves.toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuses the v2 public key to a request carrying the legacy cookie or X-Forwarded-For", async () => {
    const sim = createScpSimulator({ serverCount: 0 });
    const anon = rawClient(sim.fetch, BASE, { type: "none" });
    expect((await anon("GET", "/janus/v2/public-key", { headers: { "x-forwarded-for": "10.0.0.1" } })).status).toBe(
      401,
    );
    expect((await anon("GET", "/janus/public-key", { headers: { cookie: "aCMPAuthToken=1" } })).status).toBe(200);
  });

  it("scopes a tenant's token to its project", async () => {
    const sim = createScpSimulator({ serverCount: 30 });
    const token = await loginToken(sim.fetch, BASE, sim.tenantCredentials);
    const call = rawClient(sim.fetch, BASE, { type: "token", token });
    const servers = (await call("GET", "/janus/20240725/servers")).body.data.data as { project_id: string }[];
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.every((s) => s.project_id === sim.tenantProjectId)).toBe(true);
    expect((await call("GET", `/janus/20240725/servers/${sim.goldenServerId}`)).status).toBe(404);
    const projects = (await call("GET", "/janus/20190725/projects")).body.data.data as { id: string }[];
    expect(projects.map((p) => p.id)).toEqual([sim.tenantProjectId]);
  });
});
