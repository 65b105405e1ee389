// The VM list's indexes (by pool, id, numeric id, kept sorted orders) against a naive reference, through a seeded
// random sequence of creates, deletes (recycle and force), edits (name, description, cores) and power changes.
import { describe, expect, it } from "vitest";
import { createScpSimulator, type ScpSimulatorState } from "../../src/simulator/index.js";
import { referencePage, seeded, type Viewer } from "./list-reference.js";
import { rawClient, vmBody } from "./support.js";

const BASE = "https://scp.indexes.test";
const S18 = "/janus/20180725/servers";
const NAMES = ["vm-7", "VM-10", "web01", "Web-2", "db", "alpha-100", "vm-0010", "Ünïcode-3", "vm 5"];
const STATUSES = ["running", "stopped", "creating", "deleting"];
const SORTS = ["name", "created_at", "status", "power_state", "id", "cores", "description", "vm_id", "uptime"];
const MORE_SORTS = ["memory_mb", "host_name", "az_id", "vtool_installed", "name,created_at"];

type Rng = ReturnType<typeof seeded>;
type Call = ReturnType<typeof rawClient>;

function setup() {
  let now = Date.UTC(2026, 2, 1);
  const sim = createScpSimulator({
    seed: "indexes",
    serverCount: 300,
    poolCount: 4,
    taskDurationMs: 1000,
    vmtoolsDelayMs: 500,
    clock: () => now,
  });
  const admin = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
  const tenant = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.tenantCredentials }, () => now);
  const viewers: [Call, Viewer][] = [
    [admin, { admin: true, projectId: sim.adminProjectId }],
    [tenant, { admin: false, projectId: sim.tenantProjectId }],
  ];
  return { sim, admin, tenant, viewers, advance: (ms: number) => (now += ms) };
}

function randomQuery(r: Rng, state: ScpSimulatorState, poolIds: readonly string[]): Record<string, string> {
  const q: Record<string, string> = {};
  const vm = r.pick(state.servers);
  const someIds = (key: "id" | "vm_id") =>
    [...Array.from({ length: 1 + r.int(5) }, () => r.pick(state.servers)[key] ?? ""), vm[key] ?? ""].join(", ");
  const mixCase = (text: string) => [...text].map((c) => (r.next() < 0.5 ? c.toUpperCase() : c)).join("");
  const filters = [
    () => (q.az_id = r.pick(poolIds)),
    () => (q.query_name = mixCase(vm.name.slice(r.int(3), 3 + r.int(4)))),
    () => (q.ids = someIds("id")),
    () => (q.vm_ids = someIds("vm_id")),
    () => (q.status = r.pick(STATUSES)),
    () => (q.power_state = r.pick(["on", "off"])),
    () => (q.project_id = vm.project_id ?? ""),
    () => (q.query_ip = (vm.ips?.[0] ?? "10.").slice(0, 4 + r.int(6))),
    () => (q.host_id = vm.host_id ?? ""),
    () => (q.os_type = vm.os_type ?? ""),
  ];
  for (let n = r.int(4); n > 0; n--) {
    r.pick(filters)();
  }
  if (r.next() < 0.7) {
    q.sort = r.pick([...SORTS, ...MORE_SORTS]);
  }
  if (r.next() < 0.6) {
    q.order_by = r.pick(["ASC", "DESC"]);
  }
  q.page_size = String(r.pick([1, 7, 50, 100]));
  return q;
}

/** Lists with random queries as each viewer and compares every page with the reference. */
async function compare(r: Rng, sim: ReturnType<typeof setup>, queries: number): Promise<void> {
  const state = sim.sim.state();
  for (const [call, viewer] of sim.viewers) {
    for (let i = 0; i < queries; i++) {
      const query = randomQuery(r, state, sim.sim.poolIds);
      const total = referencePage(state, query, viewer).total_size;
      query.page_num = String(r.int(Math.ceil(total / Number(query.page_size)) + 1));
      const { body, status } = await call("GET", "/janus/20240725/servers", { query });
      expect(status, JSON.stringify(query)).toBe(200);
      const got = { total_size: body.data.total_size, next_page_num: body.data.next_page_num };
      const ids = body.data.data.map((s: { id: string }) => s.id);
      expect({ ...got, ids }, JSON.stringify(query)).toEqual(referencePage(state, query, viewer));
    }
  }
}

/** One random change to the platform; refusals (a busy VM) are part of the game. */
async function randomChange(r: Rng, env: ReturnType<typeof setup>, imageId: string): Promise<void> {
  const state = env.sim.state();
  const live = state.servers.filter((s) => !s.recycled);
  const vm = r.pick(live);
  const call = r.next() < 0.3 ? env.tenant : env.admin;
  const roll = r.next();
  if (roll < 0.3) {
    const name = `${r.pick(NAMES)}${r.next() < 0.5 ? String(r.int(30)) : ""}`;
    const body = { ...vmBody(r.pick(env.sim.poolIds), imageId, [{ id: "ide0", size_mb: 1024 }], { name }) };
    await call("POST", "/janus/20220725/servers", { json: { ...body, count: 1 + r.int(3), power_on: r.int(2) } });
  } else if (roll < 0.5) {
    await call("DELETE", `${S18}/${vm.id}`, { json: { force: r.int(2) } });
  } else if (roll < 0.8) {
    const edit = [
      { name: r.pick(NAMES) + String(r.int(99)) },
      { description: r.pick(NAMES) },
      { cores: 1 + r.int(16) },
    ];
    await call("PUT", `/janus/20210725/servers/${vm.id}`, { json: r.pick(edit) });
  } else {
    await call("POST", `${S18}/${vm.id}/${r.next() < 0.5 ? "start" : "stop"}`);
  }
  env.advance(r.int(1500));
}

describe("VM list indexes", () => {
  it("agree with a naive filter and sort through random creates, deletes, edits and power changes", async () => {
    const r = seeded(20260301);
    const env = setup();
    const images = await env.admin("GET", "/janus/20200725/images", { query: { name: "CentOS" } });
    const imageId = images.body.data.data[0].id as string;
    for (const sort of [...SORTS, ...MORE_SORTS]) {
      // Builds every kept order before anything changes, so the changes must keep them in order.
      expect((await env.admin("GET", "/janus/20240725/servers", { query: { sort } })).status).toBe(200);
    }
    await compare(r, env, 6);
    for (let step = 1; step <= 240; step++) {
      await randomChange(r, env, imageId);
      if (step % 20 === 0) {
        await compare(r, env, 8);
      }
    }
    const state = env.sim.state();
    expect(state.servers.some((s) => s.recycled)).toBe(true);
    expect(state.servers.length).toBeGreaterThan(301);
    expect(state.servers.some((s) => s.status === "creating" || s.status === "deleting")).toBe(true);
  });
});
