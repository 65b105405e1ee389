import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.lists.test";

describe("options", () => {
  it("refuses nonsense options", () => {
    expect(() => createScpSimulator({ taskDurationMs: -1 })).toThrow(RangeError);
    expect(() => createScpSimulator({ scpVersion: "six" })).toThrow(RangeError);
    expect(() => createScpSimulator({ faults: [{ match: "*", kind: "error", status: 200 }] })).toThrow(RangeError);
    expect(() => createScpSimulator({ faults: [{ match: "*", kind: "reset", rate: 2 }] })).toThrow(RangeError);
  });

  it("takes fixed credentials", async () => {
    const credentials = { accessKey: "AKFIXED", secretKey: "fixed-secret", username: "ops", password: "pa55" };
    const sim = createScpSimulator({ serverCount: 0, credentials });
    expect(sim.credentials).toEqual(credentials);
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials });
    expect((await call("GET", "/janus/20190725/users", { query: { name: "ops" } })).body.data.total_size).toBe(1);
  });
});

describe("lists", () => {
  it("sorts with sort and order_by, and refuses an unknown order", async () => {
    const sim = createScpSimulator({ serverCount: 12 });
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials });
    const names = async (query: Record<string, string>) =>
      (await call("GET", "/janus/20240725/servers", { query })).body.data.data.map((s: { name: string }) => s.name);
    const ascending = await names({ sort: "name", order_by: "ASC" });
    expect(ascending).toEqual(
      [...ascending].sort((a: string, b: string) => a.localeCompare(b, "en", { numeric: true })),
    );
    expect(await names({ sort: "name", order_by: "DESC" })).toEqual([...ascending].reverse());
    expect((await call("GET", "/janus/20240725/servers", { query: { order_by: "UP" } })).status).toBe(400);
  });

  it("filters tasks by time window in SCP's local-time format", async () => {
    let now = Date.UTC(2026, 2, 1, 10, 0, 0);
    const sim = createScpSimulator({ serverCount: 0, taskDurationMs: 0, clock: () => now });
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
    const first = (await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`)).body.data.task_id;
    now += 3_600_000;
    const second = (await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/stop`)).body.data.task_id;
    const ids = async (query: Record<string, string>) =>
      (await call("GET", "/janus/20180725/tasks", { query })).body.data.data.map((t: { id: string }) => t.id);
    expect(await ids({})).toEqual([second, first]);
    expect(await ids({ begin_time: "2026-03-01 10:30:00" })).toEqual([second]);
    expect(await ids({ end_time: "2026-03-01 10:30:00" })).toEqual([first]);
    expect((await call("GET", "/janus/20180725/tasks", { query: { begin_time: "yesterday" } })).status).toBe(400);
  });
});

it("an SCP release needs at least major.minor.patch, the form the SDK reads back from the version string", () => {
  for (const scpVersion of ["6.11", "7", "6.11.3-beta"]) {
    expect(() => createScpSimulator({ scpVersion })).toThrow(RangeError);
  }
  const sim = createScpSimulator({ scpVersion: "6.11.3.1" });
  expect(() => sim.faults.setScpVersion("6.10")).toThrow(RangeError);
  sim.faults.setScpVersion("6.10.0");
  expect(sim.faults.scpVersion()).toBe("6.10.0");
});
