// The in-process simulator at platform scale: a server-list page (unfiltered, sorted, by az_id, query_name, ids,
// status) at 200 and 20,000 VMs, seeding time and heap at 20,000, and task reads with thousands of pending tasks.
// Times cover `handle` plus reading the answer's bytes; signing happens before the clock starts.
// Run: npx tsx bench/simulator-scale.ts [--quick] [--runs N] [--out tmp/bench/simulator-scale.json]
import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createScpSimulator, type ScpSimulator } from "../src/simulator/index.js";
import { amzDate, sha256, signatureHeaders } from "../test/simulator/support.js";
import { benchArgs, type Figure, figure, goal, median, report } from "./support/figures.js";

const args = benchArgs("simulator-scale");
const { quick } = args;
const RUNS = args.runs ?? (quick ? 5 : 21);
const SIZES = quick ? [200, 2_000] : [200, 20_000];
const TASKS = quick ? 500 : 5_000;
const PAGE_GOAL_MS = 5;
const BASE = "https://scp.bench.test";
const EMPTY_SHA256 = sha256("");
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const figures: Figure[] = [];

/** Adds a figure from samples; `limit` is a goal the median must stay below, `cpu` the CPU time per sample. */
function record(name: string, samples: readonly number[], unit: string, limit?: number, cpu?: number[]): void {
  const extra = cpu ? { cpuMs: median(cpu) } : {};
  figures.push(figure(name, samples, unit, limit === undefined ? undefined : goal.below(limit, ` ${unit}`), extra));
}

/** Sends one signed request (no body); returns the time `handle` and reading the answer took, and the body. */
async function send(sim: ScpSimulator, method: string, path: string, clock: () => number = Date.now) {
  const url = new URL(path, BASE);
  const headers = signatureHeaders({
    method,
    path: url.pathname,
    headers: {},
    bodySha256: EMPTY_SHA256,
    credentials: sim.credentials,
    amzDate: amzDate(clock()),
  });
  const request = new Request(url, { method, headers });
  const cpu = process.cpuUsage();
  const start = performance.now();
  const response = await sim.handle(request);
  const bytes = await response.arrayBuffer();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (response.status >= 300) {
    throw new Error(`${method} ${path}: ${response.status} ${new TextDecoder().decode(bytes)}`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark reads a few known fields.
  return { ms, cpuMs: (used.user + used.system) / 1000, body: JSON.parse(new TextDecoder().decode(bytes)) as any };
}

const get = (sim: ScpSimulator, path: string, clock?: () => number) => send(sim, "GET", path, clock);

/** Times `RUNS` GETs after a few warm-ups (a fleet sends hundreds): wall and CPU milliseconds. */
async function timeGet(sim: ScpSimulator, path: string, clock?: () => number) {
  for (let i = 0; i < Math.max(2, RUNS >> 2); i++) {
    await get(sim, path, clock);
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { ms, cpuMs } = await get(sim, path, clock);
    wall.push(ms);
    cpu.push(cpuMs);
  }
  return [wall, cpu] as const;
}

/** Seeds `count` VMs over 10 pools; returns the simulator, seeding time, and the heap before (after a GC). */
function seed(count: number): { sim: ScpSimulator; ms: number; heapBefore: number } {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const sim = createScpSimulator({ serverCount: count, poolCount: 10, seed: "scale" });
  return { sim, ms: performance.now() - start, heapBefore };
}

/** Heap grown since `before`, after a GC, in MiB. */
function heapGrowth(before: number): number {
  gc();
  return (process.memoryUsage().heapUsed - before) / 2 ** 20;
}

async function serverPages(count: number): Promise<void> {
  const { sim, ms, heapBefore } = seed(count);
  record(`seed ${count} VMs`, [ms], "ms", count >= 20_000 ? 2_000 : undefined);
  record(`heap growth with ${count} VMs`, [heapGrowth(heapBefore)], "MiB", count >= 20_000 ? 128 : undefined);
  const list = "/janus/20240725/servers";
  const middle = Math.floor(count / 2 / 100);
  const sample = (await get(sim, `${list}?page_num=${middle}&page_size=20`)).body.data.data;
  const ids = sample.map((s: { id: string }) => s.id).join(",");
  const lastPage = Math.floor(count / 100);
  const queries: Record<string, string> = {
    unfiltered: "",
    "unfiltered, last page": `page_num=${lastPage}`,
    "sort=name": "sort=name&order_by=ASC",
    "sort=name DESC, last page": `sort=name&order_by=DESC&page_num=${lastPage}`,
    az_id: `az_id=${sim.poolIds[3]}`,
    "az_id, sort=created_at": `az_id=${sim.poolIds[3]}&sort=created_at`,
    query_name: `query_name=vm-${String(Math.floor(count / 2)).padStart(3, "0")}`,
    "ids (20)": `ids=${ids}`,
    "status=running": "status=running",
    "az_id+power_state": `az_id=${sim.poolIds[3]}&power_state=on`,
  };
  // The first sort by a field builds its kept order (once); later pages walk it.
  const first = await get(sim, `${list}?sort=description`);
  record(`first page sorted by a new field at ${count} VMs (sorts once)`, [first.ms], "ms");
  // Warm up on every query first (a fleet sends hundreds), so the first one measured does not pay the JIT.
  for (let round = 0; round < 3; round++) {
    for (const query of Object.values(queries)) {
      await get(sim, `${list}?${query}`);
    }
  }
  for (const [label, query] of Object.entries(queries)) {
    const [wall, cpu] = await timeGet(sim, `${list}?${query}`);
    record(`server page at ${count} VMs: ${label}`, wall, "ms", PAGE_GOAL_MS, cpu);
  }
  // Also holds the kept sorted orders (and code compiled meanwhile).
  record(`heap growth with ${count} VMs, after the sorted pages`, [heapGrowth(heapBefore)], "MiB");
  await sim.close();
}

/** Starts `TASKS` long tasks (frozen clock), then times task reads, one more start, and running them all. */
async function taskReads(): Promise<void> {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const sim = createScpSimulator({ serverCount: 1_000, poolCount: 10, taskDurationMs: 60_000, clock });
  const vms = (await get(sim, "/janus/20240725/servers?page_size=100", clock)).body.data.data;
  const taskIds: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const vm = vms[i % vms.length];
    taskIds.push((await send(sim, "POST", `/janus/20180725/servers/${vm.id}/start`, clock)).body.data.task_id);
  }
  const some = taskIds[Math.floor(TASKS / 2)];
  const reads = {
    [`get task with ${TASKS} tasks`]: `/janus/20180725/tasks/${some}`,
    [`task page by object_id with ${TASKS} tasks`]: `/janus/20180725/tasks?object_id=${vms[7].id}`,
    [`task page by status with ${TASKS} tasks`]: "/janus/20180725/tasks?status=waiting",
  };
  for (const [name, path] of Object.entries(reads)) {
    const [wall, cpu] = await timeGet(sim, path, clock);
    record(name, wall, "ms", PAGE_GOAL_MS, cpu);
  }
  const one = [];
  for (let i = 0; i < RUNS; i++) {
    one.push((await send(sim, "POST", `/janus/20180725/servers/${vms[i].id}/start`, clock)).ms);
  }
  record(`start a VM with ${TASKS} events pending`, one, "ms", 5);
  now += 120_000;
  const drain = (await get(sim, `/janus/20180725/tasks/${some}`, clock)).ms;
  record(`run ${TASKS} due task ends`, [drain], "ms", 1_000);
  await sim.close();
}

async function main(): Promise<void> {
  const load = loadavg()[0]?.toFixed(1);
  console.log(
    `simulator scale benchmark${quick ? " (quick)" : ""}: ${RUNS} runs each, ${process.version}, load ${load}`,
  );
  console.log(
    "value (median), min, max: wall time of handle + reading the answer; cpu ms: median CPU time of the process",
  );
  for (const count of SIZES) {
    await serverPages(count);
  }
  await taskReads();
  await report(args, figures);
}

await main();
