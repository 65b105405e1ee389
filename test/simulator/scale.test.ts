// A large platform: 20,000 seeded VMs over 10 pools list exactly, and thousands of tasks (ending out of start
// order) list and end as a naive reading of the task log says. No timing here: bench/simulator-scale.ts measures.
import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { referencePage, seeded } from "./list-reference.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.scale.test";
const LIST = "/janus/20240725/servers";
const NOW = Date.UTC(2026, 5, 1);

describe("20,000 VMs", () => {
  const sim = createScpSimulator({ serverCount: 20_000, poolCount: 10, clock: () => NOW });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => NOW);
  const admin = { admin: true, projectId: sim.adminProjectId };

  it("seed spread over all 10 pools, and one pool pages through exactly", async () => {
    const all = sim.state().servers;
    expect(all).toHaveLength(20_001);
    const perPool = sim.poolIds.map((id) => all.filter((s) => s.az_id === id).length);
    expect(perPool.reduce((a, b) => a + b, 0)).toBe(20_001);
    expect(Math.min(...perPool)).toBeGreaterThan(1_500);
    const pool = sim.poolIds[7] ?? "";
    const seen: string[] = [];
    for (let page = "0"; page !== ""; ) {
      const { body } = await call("GET", LIST, { query: { az_id: pool, page_num: page } });
      expect(body.data.total_size).toBe(perPool[7]);
      seen.push(...body.data.data.map((s: { id: string }) => s.id));
      page = body.data.next_page_num;
    }
    expect(seen).toEqual(all.filter((s) => s.az_id === pool).map((s) => s.id));
  });

  it("answers sorted, named and id-filtered pages as the naive reference does", async () => {
    const state = sim.state();
    const r = seeded(20_000);
    const ids = Array.from({ length: 30 }, () => r.pick(state.servers).id).join(",");
    const queries: Record<string, string>[] = [
      { sort: "name", order_by: "DESC" },
      { sort: "name", page_num: "150", page_size: "100" },
      { sort: "created_at", az_id: sim.poolIds[2] ?? "", page_num: "3", page_size: "50" },
      { sort: "power_state", page_num: "120" },
      { query_name: "vm-1234" },
      { query_name: "VM-12345" },
      { ids },
      { ids, sort: "name", order_by: "DESC", page_size: "7", page_num: "1" },
      { status: "running", az_id: sim.poolIds[9] ?? "", order_by: "DESC", page_num: "4" },
    ];
    for (const query of queries) {
      const { body } = await call("GET", LIST, { query });
      const got = { total_size: body.data.total_size, next_page_num: body.data.next_page_num };
      const page = body.data.data.map((s: { id: string }) => s.id);
      expect({ ...got, ids: page }, JSON.stringify(query)).toEqual(referencePage(state, query, admin));
    }
    const named = await call("GET", LIST, { query: { query_name: "VM-12345" } });
    expect(named.body.data.data.map((s: { name: string }) => s.name)).toEqual(["vm-12345"]);
  });
});

describe("thousands of tasks", () => {
  it("list by object and status as the task log says, and end in time order, not start order", async () => {
    let now = NOW;
    const sim = createScpSimulator({
      serverCount: 40,
      taskDurationMs: 1_000,
      clock: () => now,
      // A third of the tasks take longer, so tasks end out of start order and many are pending at once.
      faults: [
        {
          match: "POST /janus/20180725/servers/{server_id}/*",
          kind: "slow-task",
          factor: 1,
          extraMs: 2_500,
          rate: 0.3,
        },
      ],
    });
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
    const r = seeded(7);
    const vms = sim.state().servers.filter((s) => s.status === "running" || s.status === "stopped");
    const started: { taskId: string; vmId: string; action: string }[] = [];
    for (let i = 0; i < 2_000; i++) {
      const vm = r.pick(vms);
      const action = r.next() < 0.5 ? "start" : "stop";
      const answer = await call("POST", `/janus/20180725/servers/${vm.id}/${action}`);
      started.push({ taskId: answer.body.data.task_id, vmId: vm.id, action });
      now += r.int(40);
    }
    const log = sim.state().tasks;
    expect(log.filter((t) => t.status === "waiting" || t.status === "doing").length).toBeGreaterThan(20);
    for (const query of [
      { object_id: vms[3]?.id ?? "" },
      { status: "doing" },
      { object_id: vms[5]?.id ?? "", status: "finish" },
    ]) {
      const { body } = await call("GET", "/janus/20180725/tasks", { query: { ...query, page_size: 100 } });
      const expected = log.filter((t) => Object.entries(query).every(([k, v]) => t[k as "status"] === v)).reverse();
      expect(body.data.total_size, JSON.stringify(query)).toBe(expected.length);
      expect(body.data.data.map((t: { id: string }) => t.id)).toEqual(expected.slice(0, 100).map((t) => t.task_id));
    }
    now += 10_000;
    const ended = sim.state().tasks;
    expect(ended.every((t) => t.status === "finish")).toBe(true);
    // Each VM's power follows its task that ended last (ties in start order).
    const endOf = new Map(ended.map((t, i) => [t.task_id, [t.end_time, i] as const]));
    const last = new Map<string, string>();
    const byEnd = [...started].sort((a, b) => {
      const [ea = "", ia = 0] = endOf.get(a.taskId) ?? [];
      const [eb = "", ib = 0] = endOf.get(b.taskId) ?? [];
      return ea.localeCompare(eb) || ia - ib;
    });
    for (const task of byEnd) {
      last.set(task.vmId, task.action);
    }
    const power = new Map(sim.state().servers.map((s) => [s.id, s.power_state]));
    expect([...last].filter(([id, action]) => power.get(id) !== (action === "start" ? "on" : "off"))).toEqual([]);
  });
});
