import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.paging.test";

function setup(serverCount = 160) {
  let now = Date.UTC(2026, 0, 1);
  const sim = createScpSimulator({ serverCount, taskDurationMs: 0, clock: () => now });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
  return { sim, call, advance: (ms: number) => (now += ms) };
}

describe("paging and filters", () => {
  it("pages 150+ VMs with string next_page_num, '' on the last page, and refuses page_size 101", async () => {
    const { call } = setup();
    expect((await call("GET", "/janus/20240725/servers", { query: { page_size: 101 } })).status).toBe(400);
    const first = (await call("GET", "/janus/20240725/servers")).body.data;
    expect(first).toMatchObject({ page_num: 0, page_size: 100, total_size: 161, next_page_num: "1" });
    const ids = new Set<string>();
    const nexts: string[] = [];
    let page = "0";
    while (page !== "") {
      const data = (await call("GET", "/janus/20240725/servers", { query: { page_num: page, page_size: 50 } })).body
        .data;
      for (const s of data.data) {
        ids.add(s.id);
      }
      nexts.push(data.next_page_num);
      page = data.next_page_num;
    }
    expect(nexts).toEqual(["1", "2", "3", ""]);
    expect(ids.size).toBe(161);
  });

  it("filters VMs by pool, power state, name, numeric id and ids, and refuses a malformed pool id", async () => {
    const { sim, call } = setup();
    const all = sim.state().servers;
    const pool = sim.poolIds[1] ?? "";
    const inPool = (await call("GET", "/janus/20240725/servers", { query: { az_id: pool } })).body.data;
    expect(inPool.total_size).toBe(all.filter((s) => s.az_id === pool).length);
    const on = (await call("GET", "/janus/20240725/servers", { query: { power_state: "on" } })).body.data;
    expect(on.data.every((s: { power_state: string }) => s.power_state === "on")).toBe(true);
    expect(on.total_size).toBe(all.filter((s) => s.power_state === "on").length);
    const named = (await call("GET", "/janus/20240725/servers", { query: { query_name: "GOLDEN" } })).body.data.data;
    expect(named.map((s: { id: string }) => s.id)).toEqual([sim.goldenServerId]);
    const golden = all.find((s) => s.id === sim.goldenServerId);
    const byVmId = (await call("GET", "/janus/20240725/servers", { query: { vm_ids: golden?.vm_id ?? "" } })).body.data
      .data;
    expect(byVmId).toHaveLength(1);
    const two = all.slice(5, 7).map((s) => s.id);
    expect((await call("GET", "/janus/20240725/servers", { query: { ids: two.join(",") } })).body.data.total_size).toBe(
      2,
    );
    expect((await call("GET", "/janus/20240725/servers", { query: { az_id: "" } })).status).toBe(400);
  });

  it("filters images, projects, hosts and tasks as the spec says", async () => {
    const { sim, call } = setup(10);
    const images = (await call("GET", "/janus/20200725/images", { query: { name: "ubuntu", image_type: "public" } }))
      .body.data.data;
    expect(images.map((i: { name: string }) => i.name)).toEqual(["ubuntu-22.04-server.iso"]);
    const ownedByTenant = await call("GET", "/janus/20200725/images", { query: { owner_id: sim.tenantProjectId } });
    expect(ownedByTenant.body.data.data.map((i: { name: string }) => i.name)).toEqual(["tenant-app-image"]);
    const admins = (await call("GET", "/janus/20190725/projects", { query: { role_type: "admin" } })).body.data.data;
    expect(admins.map((p: { id: string }) => p.id)).toEqual([sim.adminProjectId]);
    const hosts = (
      await call("GET", "/janus/20240725/hosts", { query: { az_id: sim.poolIds[1] ?? "", status: "running" } })
    ).body.data;
    expect(hosts.total_size).toBe(2);
    const started = await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`);
    const tasks = (
      await call("GET", "/janus/20180725/tasks", { query: { object_id: sim.goldenServerId, status: "finish" } })
    ).body.data.data;
    expect(tasks.map((t: { id: string }) => t.id)).toEqual([started.body.data.task_id]);
  });
});

describe("idempotency (X-Client-Token)", () => {
  it("refuses a reused token with 429 naming idempotency, without applying the request again", async () => {
    const { sim, call, advance } = setup(5);
    const image = (await call("GET", "/janus/20200725/images", { query: { name: "CentOS" } })).body.data.data[0];
    const body = {
      az_id: sim.poolIds[0],
      image_id: image.id,
      name: "once-only",
      cores: 1,
      sockets: 1,
      memory_mb: 1024,
      disks: [{ id: "ide0", size_mb: 1024 }],
      networks: [],
    };
    const headers = { "X-Client-Token": "3c1f0b8e9d2a4e5f8a7b6c5d4e3f2a1b" };
    expect((await call("POST", "/janus/20220725/servers", { json: body, headers })).status).toBe(201);
    const again = await call("POST", "/janus/20220725/servers", { json: body, headers });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe(429);
    expect(again.body.message).toMatch(/idempotency/);
    expect(sim.state().servers.filter((s) => s.name === "once-only")).toHaveLength(1);
    expect(sim.state().idempotencyTokens).toContain(headers["X-Client-Token"]);
    advance(15 * 60_000);
    expect((await call("POST", "/janus/20220725/servers", { json: body, headers })).status).toBe(201);
    expect(sim.state().servers.filter((s) => s.name === "once-only")).toHaveLength(2);
  });

  it("applies to PUT too, ignores GET, and does not spend a token on a request refused at login", async () => {
    const { sim, call } = setup(5);
    const headers = { "X-Client-Token": "token-put-1" };
    const path = `/janus/20210725/servers/${sim.goldenServerId}`;
    const badAuth = rawClient(sim.fetch, BASE, { type: "token", token: "f".repeat(32) });
    expect((await badAuth("PUT", path, { json: { name: "a" }, headers })).status).toBe(401);
    expect((await call("PUT", path, { json: { name: "a" }, headers })).status).toBe(200);
    expect((await call("PUT", path, { json: { name: "a" }, headers })).status).toBe(429);
    expect((await call("GET", "/janus/20180725/azs", { headers })).status).toBe(200);
  });

  it("forgets each token a window after its use, oldest first, also after the clock went back", async () => {
    const { sim, call, advance } = setup(5);
    const minute = 60_000;
    const use = async (token: string) => {
      const path = `/janus/20180725/servers/${sim.goldenServerId}/start`;
      expect((await call("POST", path, { headers: { "X-Client-Token": token } })).status).toBe(201);
    };
    await use("t1");
    advance(5 * minute);
    await use("t2");
    advance(5 * minute);
    await use("t3");
    advance(5 * minute);
    expect(sim.state().idempotencyTokens).toEqual(["t2", "t3"]);
    advance(-20 * minute);
    await use("t4");
    advance(26 * minute);
    // t4 is the newest entry but the oldest use: it goes, t3 (used later) stays.
    expect(sim.state().idempotencyTokens).toEqual(["t3"]);
  });

  it("does not spend a token on a request it refused: only an applied request uses its token up", async () => {
    const { sim, call } = setup(5);
    const headers = { "X-Client-Token": "token-refused-1" };
    expect((await call("POST", "/janus/20180725/servers/no-such-vm/start", { headers })).status).toBe(404);
    expect(sim.state().idempotencyTokens).not.toContain(headers["X-Client-Token"]);
    expect((await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`, { headers })).status).toBe(201);
    expect((await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`, { headers })).status).toBe(429);
  });
});
