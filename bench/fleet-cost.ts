// Issue 10, item 1: what a 10-proxy fleet's life costs in requests (counted by the simulator) with 200 and with
// 20,000 other VMs on the platform: deploy, a no-op re-deploy, findBackupProxies({ fleetId }), destroy. The goal is
// equal counts (±2): the SDK reads only its own VMs, through the list filters, never a scan of the inventory.
// Tasks finish at once and vmtools is up at boot, so the counts do not depend on timing.
// Run: npx tsx bench/fleet-cost.ts [--quick] [--runs N] [--out FILE]
import { deployBackupProxyFleet, destroyBackupProxyFleet, findBackupProxies } from "../src/index.js";
import { benchArgs, type Figure, figure, goal, median, report } from "./support/figures.js";
import { fleetEnv } from "./support/fleet-env.js";

const args = benchArgs("fleet-cost");
const RUNS = args.runs ?? (args.quick ? 1 : 5);
const SIZES = args.quick ? [200, 2_000] : [200, 20_000];
const PROXIES = 10;
const POOLS = 2;
const STAGES = ["deploy", "no-op re-deploy", "findBackupProxies", "destroy"] as const;
type Stage = (typeof STAGES)[number];
const FAST = { pollIntervalMs: 5, maxIntervalMs: 20 };

interface Costs {
  requests: Record<Stage, number[]>;
  ms: Record<Stage, number[]>;
  /** Requests per operation of the last deploy, for the notes. */
  deployOps: Record<string, number>;
}

async function lifeCosts(serverCount: number): Promise<Costs> {
  const env = await fleetEnv({ serverCount, poolCount: POOLS, taskDurationMs: 0, vmtoolsDelayMs: 0 });
  const costs: Costs = {
    requests: Object.fromEntries(STAGES.map((s) => [s, []])) as unknown as Costs["requests"],
    ms: Object.fromEntries(STAGES.map((s) => [s, []])) as unknown as Costs["ms"],
    deployOps: {},
  };
  const input = env.input(PROXIES, POOLS);
  const work: Record<Stage, () => Promise<unknown>> = {
    deploy: () => deployBackupProxyFleet(env.scp, input, FAST),
    "no-op re-deploy": () => deployBackupProxyFleet(env.scp, input, FAST),
    findBackupProxies: () => findBackupProxies(env.scp, { fleetId: input.fleetId }),
    destroy: () => destroyBackupProxyFleet(env.scp, { fleetId: input.fleetId }, FAST),
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const stage of STAGES) {
        await env.sim.counts(true);
        const started = performance.now();
        await work[stage]();
        costs.ms[stage].push(performance.now() - started);
        const counts = await env.sim.counts(true);
        costs.requests[stage].push(Object.values(counts).reduce((a, b) => a + b, 0));
        if (stage === "deploy") {
          costs.deployOps = counts;
        }
      }
    }
  } finally {
    await env.close();
  }
  return costs;
}

async function main(): Promise<void> {
  const [few, many] = SIZES as [number, number];
  const small = await lifeCosts(few);
  const large = await lifeCosts(many);
  const figures: Figure[] = [];
  for (const stage of STAGES) {
    const a = small.requests[stage];
    const b = large.requests[stage];
    figures.push(
      figure(`${stage}: requests, ${many} - ${few} other VMs`, median(b) - median(a), "requests", goal.within(2)),
      figure(`${stage}: requests with ${few} other VMs`, a, "requests"),
      figure(`${stage}: requests with ${many} other VMs`, b, "requests"),
      figure(`${stage}: wall time with ${many} other VMs`, large.ms[stage], "ms"),
    );
  }
  const ops = Object.entries(large.deployOps)
    .sort(([, x], [, y]) => y - x)
    .map(([op, n]) => `${n} ${op}`);
  await report(args, figures, [
    `a ${PROXIES}-proxy fleet over ${POOLS} pools; tasks finish at once, so the counts do not depend on timing`,
    `deploy's requests with ${many} other VMs: ${ops.join(", ")}`,
  ]);
}

await main();
