// Issue 10, item 2: a fleet at the speed of the platform. 100 proxies over 10 pools, 200 ms tasks, 2 s from a VM's
// start to vmtools, the SDK's default settings: wall time against the critical-path lower bound, and requests per
// proxy (polling included, counted by the simulator); wall time also for 10 and 500 proxies.
// The bound (src/workflows/fleet-execute.ts): a pool's changes run `concurrency` at a time, each holding its lane
// for its task; after a proxy's last task (its power-on) it boots and starts vmtools. So no run can beat
//   max over pools ( proxies × tasks per proxy × taskDurationMs / concurrency ) + vmtoolsDelayMs,
// nor one proxy's own chain (tasks per proxy × taskDurationMs + vmtoolsDelayMs). Without an init script a new proxy
// takes 3 tasks in a lane: create, mark (the edit that sets its OS name), power-on.
// Run: npx tsx bench/fleet-speed.ts [--quick] [--runs N] [--out FILE]
import { deployBackupProxyFleet, destroyBackupProxyFleet, WORKFLOW_DEFAULTS } from "../src/index.js";
import { benchArgs, type Figure, figure, goal, report } from "./support/figures.js";
import { fleetEnv } from "./support/fleet-env.js";

const args = benchArgs("fleet-speed");
const RUNS = args.runs ?? (args.quick ? 1 : 5);
const POOLS = 10;
const TASK_MS = 200;
const VMTOOLS_MS = 2_000;
const TASKS_PER_PROXY = 3;
const SIZES = args.quick ? [10] : [10, 100, 500];
const GOAL_SIZE = 100;

/** The critical-path lower bound of a fleet of `proxies` spread evenly over the pools, in ms. */
function lowerBoundMs(proxies: number): number {
  const perPool = Math.ceil(proxies / POOLS);
  const lanes = (perPool * TASKS_PER_PROXY * TASK_MS) / WORKFLOW_DEFAULTS.concurrency + VMTOOLS_MS;
  const chain = TASKS_PER_PROXY * TASK_MS + VMTOOLS_MS;
  return Math.max(lanes, chain);
}

async function main(): Promise<void> {
  const env = await fleetEnv({
    serverCount: 200,
    poolCount: POOLS,
    taskDurationMs: TASK_MS,
    vmtoolsDelayMs: VMTOOLS_MS,
  });
  const figures: Figure[] = [];
  try {
    for (const proxies of SIZES) {
      const input = env.input(proxies, POOLS);
      const wall: number[] = [];
      const perProxy: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await env.sim.counts(true);
        const started = performance.now();
        const result = await deployBackupProxyFleet(env.scp, input);
        wall.push(performance.now() - started);
        perProxy.push((await env.sim.total(true)) / proxies);
        if (result.created.length !== proxies) {
          throw new Error(`deployed ${result.created.length} proxies, not ${proxies}`);
        }
        await destroyBackupProxyFleet(env.scp, { fleetId: input.fleetId }, { pollIntervalMs: 50, maxIntervalMs: 200 });
      }
      const bound = lowerBoundMs(proxies);
      const target = proxies === GOAL_SIZE;
      figures.push(
        figure(
          `${proxies} proxies: wall time / lower bound (${(bound / 1000).toFixed(2)} s)`,
          wall.map((w) => w / bound),
          "×",
          target ? goal.atMost(1.5) : undefined,
        ),
        figure(
          `${proxies} proxies: wall time`,
          wall.map((w) => w / 1000),
          "s",
        ),
        figure(`${proxies} proxies: requests per proxy`, perProxy, "requests", target ? goal.atMost(15) : undefined),
      );
    }
  } finally {
    await env.close();
  }
  const c = WORKFLOW_DEFAULTS.concurrency;
  await report(args, figures, [
    `${POOLS} pools, tasks ${TASK_MS} ms, vmtools ${VMTOOLS_MS} ms after start, SDK defaults (concurrency ${c}, polls from ${WORKFLOW_DEFAULTS.pollIntervalMs} ms ×1.5 up to ${WORKFLOW_DEFAULTS.maxIntervalMs} ms)`,
    `lower bound = max(per pool: proxies × ${TASKS_PER_PROXY} tasks × ${TASK_MS} ms / ${c} + ${VMTOOLS_MS} ms, ${TASKS_PER_PROXY} × ${TASK_MS} + ${VMTOOLS_MS} ms)`,
  ]);
}

await main();
