import { afterEach, describe, expect, it, vi } from "vitest";
import { createScpSimulator, type FaultRule, type ScpSimulatorOptions } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.faults.test";

function setup(options: ScpSimulatorOptions = {}) {
  let now = Date.UTC(2026, 0, 1);
  const sim = createScpSimulator({ serverCount: 5, taskDurationMs: 1000, clock: () => now, ...options });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
  const task = async (id: string) => (await call("GET", `/janus/20180725/tasks/${id}`)).body.data;
  return { sim, call, task, advance: (ms: number) => (now += ms) };
}

const START = "POST /janus/20180725/servers/{server_id}/start";

afterEach(() => {
  vi.useRealTimers();
});

describe("faults", () => {
  it("answers error faults in the operation's envelope with Retry-After, `count` times", async () => {
    const { sim, call } = setup();
    const id = sim.faults.add({
      match: "GET /janus/20240725/servers",
      kind: "error",
      status: 503,
      retryAfterSec: 2,
      count: 2,
    });
    const first = await call("GET", "/janus/20240725/servers");
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ errcode: "503", message: "service unavailable", data: {} });
    expect(first.response.headers.get("retry-after")).toBe("2");
    expect(sim.faults.list()).toMatchObject([{ id, hits: 1, remaining: 1 }]);
    expect((await call("GET", "/janus/20240725/servers")).status).toBe(503);
    expect((await call("GET", "/janus/20240725/servers")).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
    sim.faults.add({ match: "/janus/20180725/azs", kind: "error", status: 429 });
    const limited = await call("GET", "/janus/20180725/azs");
    expect(limited.body.code).toBe(429);
    expect(limited.body.message).not.toMatch(/idempotency/);
  });

  it("draws `rate` from a seeded PRNG: the same seed gives the same pattern", async () => {
    const pattern = async () => {
      const { call } = setup({ faults: [{ match: "GET /janus/20180725/azs", kind: "error", status: 500, rate: 0.5 }] });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) {
        out.push((await call("GET", "/janus/20180725/azs")).status);
      }
      return out;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it("matches by template, concrete path, glob and regex, per method", async () => {
    const { sim, call } = setup();
    const path = `/janus/20180725/servers/${sim.goldenServerId}/start`;
    const rules: FaultRule[] = [
      { match: START, kind: "error", status: 500, count: 1 },
      { match: `POST ${path}`, kind: "error", status: 501, count: 1 },
      { match: "* /janus/2018*/servers/*/start", kind: "error", status: 502, count: 1 },
      { match: /^POST .*\/start$/, kind: "error", status: 504, count: 1 },
    ];
    for (const rule of rules) {
      sim.faults.add(rule);
    }
    expect((await call("GET", "/janus/20240725/servers")).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await call("POST", path)).status);
    }
    expect(statuses).toEqual([500, 501, 502, 504, 201]);
  });

  it("resets before applying, and apply-then-drop applies then loses the answer", async () => {
    const { sim, call } = setup({ taskDurationMs: 0 });
    sim.faults.add({ match: START, kind: "reset", count: 1 });
    const reset = await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(TypeError);
    expect((reset as TypeError).cause).toMatchObject({ code: "ECONNRESET" });
    expect(sim.state().tasks).toHaveLength(0);
    sim.faults.add({ match: START, kind: "apply-then-drop", count: 1 });
    await expect(call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`)).rejects.toThrow("fetch failed");
    expect(sim.state().tasks).toHaveLength(1);
    expect(sim.state().servers.find((s) => s.id === sim.goldenServerId)?.power_state).toBe("on");
  });

  it("fails, slows or sticks the task of the matched request", async () => {
    const { sim, call, task, advance } = setup();
    const golden = `/janus/20180725/servers/${sim.goldenServerId}`;
    sim.faults.add({ match: START, kind: "task-failure", reason: "host is in maintenance", count: 1 });
    const failed = (await call("POST", `${golden}/start`)).body.data.task_id;
    advance(1000);
    expect(await task(failed)).toMatchObject({ status: "failure", description: "host is in maintenance" });
    expect(sim.state().servers.find((s) => s.id === sim.goldenServerId)?.power_state).toBe("off");
    sim.faults.add({ match: START, kind: "slow-task", factor: 10, count: 1 });
    const slow = (await call("POST", `${golden}/start`)).body.data.task_id;
    advance(5000);
    expect((await task(slow)).status).toBe("doing");
    advance(5000);
    expect((await task(slow)).status).toBe("finish");
    sim.faults.add({ match: "POST /janus/20180725/servers/*/stop", kind: "stuck-task" });
    const stuck = (await call("POST", `${golden}/stop`)).body.data.task_id;
    advance(24 * 3_600_000);
    expect(await task(stuck)).toMatchObject({ status: "doing", progress: 99 });
  });

  it("delays matched requests by the latency fault", async () => {
    vi.useFakeTimers();
    const sim = createScpSimulator({ serverCount: 0 });
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials });
    sim.faults.add({ match: "GET /janus/20180725/azs", kind: "latency", delayMs: 500 });
    let done = false;
    const pending = call("GET", "/janus/20180725/azs").then((r) => {
      done = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).status).toBe(200);
  });

  it("acts as an older platform at run time", async () => {
    const { sim, call } = setup();
    sim.faults.setScpVersion("6.10.0");
    expect(sim.faults.scpVersion()).toBe("6.10.0");
    expect((await call("GET", "/janus/20180725/system/version")).body.data.build_version).toMatch(/^SCP6\.10\.0B-/);
    expect((await call("GET", "/janus/20240725/hosts")).status).toBe(404);
    expect((await call("POST", "/janus/20220725/servers", { json: {} })).status).toBe(404);
    sim.faults.setScpVersion(undefined);
    expect((await call("GET", "/janus/20240725/hosts")).status).toBe(200);
    expect(() => sim.faults.setScpVersion("latest")).toThrow(RangeError);
  });

  it("is driven through the control endpoint without credentials", async () => {
    const { sim, call } = setup();
    const control = (method: string, path: string, body?: unknown) =>
      sim.fetch(`${BASE}/__sim/${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
    const added = await control("POST", "faults", {
      match: "GET /janus/20180725/azs",
      kind: "error",
      status: 503,
      retryAfterSec: 1,
    });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    expect((await call("GET", "/janus/20180725/azs")).status).toBe(503);
    expect(await (await control("GET", "faults")).json()).toMatchObject([
      { id, hits: 1, rule: { kind: "error", status: 503 } },
    ]);
    expect((await control("DELETE", `faults/${id}`)).status).toBe(204);
    expect((await call("GET", "/janus/20180725/azs")).status).toBe(200);
    await control("POST", "faults", { matchRegex: "azs$", kind: "reset" });
    await expect(call("GET", "/janus/20180725/azs")).rejects.toThrow("fetch failed");
    expect((await control("DELETE", "faults")).status).toBe(204);
    expect((await control("POST", "faults", { match: "x", kind: "explode" })).status).toBe(400);
    expect((await control("POST", "faults", { matchRegex: "(", kind: "reset" })).status).toBe(400);
    expect(await (await control("PUT", "version", { scpVersion: "6.9.0" })).json()).toEqual({ scpVersion: "6.9.0" });
    expect((await call("GET", "/janus/20240725/servers")).status).toBe(404);
    await control("PUT", "version", { scpVersion: null });
    const state = (await (await control("GET", "state")).json()) as {
      servers: unknown[];
      requestCounts: Record<string, number>;
    };
    expect(state.servers).toHaveLength(6);
    expect(state.requestCounts["GET /janus/20180725/azs"]).toBe(3);
  });

  it("spends task faults only on requests that start a task, and slows tasks down even at 0 ms", async () => {
    const { sim, call, task, advance } = setup({ taskDurationMs: 0 });
    const path = `/janus/20180725/servers/${sim.goldenServerId}/start`;
    sim.faults.add({ match: START, kind: "error", status: 503, count: 1 });
    sim.faults.add({ match: START, kind: "task-failure", reason: "host down", count: 1 });
    sim.faults.add({ match: "/janus/*", kind: "slow-task", factor: 5, count: 1 });
    expect((await call("GET", "/janus/20180725/azs")).status).toBe(200);
    expect((await call("POST", path)).status).toBe(503);
    const started = await call("POST", path);
    expect(started.status).toBe(201);
    expect((await task(started.body.data.task_id)).status).not.toBe("failure");
    advance(500);
    expect(await task(started.body.data.task_id)).toMatchObject({ status: "failure", description: "host down" });
    expect(sim.faults.list()).toEqual([]);
  });
});
