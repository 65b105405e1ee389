// What a fleet costs in requests: it follows the fleet, not the platform; concurrency bounds changes, not waits.
import { expect, test } from "vitest";
import {
  type DeployBackupProxyFleetInput,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  findBackupProxies,
  importProxyImage,
} from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";
import { useVmaFile } from "./fleet-env.js";

const vma = useVmaFile();

async function setUp(options: Parameters<typeof simulated>[0], intercept?: Parameters<typeof simulated>[1]) {
  const env = simulated(options, intercept);
  const pools = env.sim.poolIds.slice(0, 2);
  const image = await importProxyImage(env.scp, { file: vma.path, imageName: "proxy-v1", azIds: pools }, FAST);
  const input: DeployBackupProxyFleetInput = {
    fleetId: "acme",
    imageId: image.imageId,
    pools: pools.map((azId) => ({ azId, count: 5 })),
  };
  return { ...env, pools, input };
}

/** Requests of each stage of a 10-proxy fleet's life on a platform with that many other VMs. */
async function lifeCost(serverCount: number) {
  const { scp, calls, input } = await setUp({ serverCount });
  const cost = async (work: () => Promise<unknown>) => {
    const before = calls.length;
    await work();
    return calls.length - before;
  };
  return {
    deploy: await cost(() => deployBackupProxyFleet(scp, input, FAST)),
    again: await cost(() => deployBackupProxyFleet(scp, input, FAST)),
    find: await cost(() => findBackupProxies(scp, { fleetId: "acme" })),
    destroy: await cost(() => destroyBackupProxyFleet(scp, { fleetId: "acme" }, FAST)),
  };
}

test("deploy, re-deploy, inventory and destroy cost the same requests with 200 and 2,000 other VMs", async () => {
  const small = await lifeCost(200);
  const large = await lifeCost(2_000);
  for (const stage of ["deploy", "again", "find", "destroy"] as const) {
    expect({ stage, diff: Math.abs(large[stage] - small[stage]) <= 2 }).toEqual({ stage, diff: true });
  }
  expect(small.again).toBeLessThanOrEqual(6);
  expect(small.find).toBe(1);
}, 120_000);

test("concurrency bounds the tasks running per pool, not the proxies in progress", async () => {
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  let env: Awaited<ReturnType<typeof setUp>> | undefined;
  // Before each request, count the fleet tasks still running on the platform, per pool.
  const observe = (request: Request) => {
    if (env && request.method === "GET") {
      const state = env.sim.state();
      const poolOf = new Map(state.servers.filter((s) => s.name.startsWith("acme-")).map((s) => [s.id, s.az_id]));
      running.clear();
      for (const task of state.tasks) {
        const pool = poolOf.get(task.object_id ?? "");
        if (pool && (task.status === "waiting" || task.status === "doing")) {
          running.set(pool, (running.get(pool) ?? 0) + 1);
        }
      }
      for (const [pool, n] of running) {
        most.set(pool, Math.max(most.get(pool) ?? 0, n));
      }
    }
    return undefined;
  };
  env = await setUp({ taskDurationMs: 40, vmtoolsDelayMs: 300 }, observe);
  const inProgress = new Set<string>();
  let widest = 0;
  await deployBackupProxyFleet(env.scp, env.input, {
    ...FAST,
    concurrency: 2,
    onProgress: (e) => {
      if (e.step === "create" && e.phase === "start") {
        inProgress.add(e.proxy);
      }
      if (e.step === "verify" && e.phase === "done") {
        inProgress.delete(e.proxy);
      }
      widest = Math.max(widest, inProgress.size);
    },
  });
  expect(Math.max(...most.values())).toBeLessThanOrEqual(2);
  expect(most.size).toBe(2);
  // Waiting for boot and vmtools holds no lane: proxies of both pools wait at once.
  expect(widest).toBeGreaterThan(4);
});

test("a proxy costs at most 15 requests, polling included, at the default poll settings", async () => {
  const { scp, calls, input } = await setUp({ taskDurationMs: 50, vmtoolsDelayMs: 400 });
  const before = calls.length;
  const result = await deployBackupProxyFleet(scp, { ...input, initScript: "echo ready" });
  expect(result.created).toHaveLength(10);
  expect(result.proxies.every((p) => p.ready)).toBe(true);
  expect((calls.length - before) / 10).toBeLessThanOrEqual(15);
});

test("a fleet waiting on many proxies at once, on the caller's signal, raises no listener-leak warning", async () => {
  const { scp, pools, input } = await setUp({ serverCount: 20, taskDurationMs: 20 });
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning.name);
  process.on("warning", onWarning);
  try {
    const big = { ...input, pools: pools.map((azId) => ({ azId, count: 12 })) };
    const result = await deployBackupProxyFleet(scp, big, { ...FAST, signal: new AbortController().signal });
    expect(result.proxies).toHaveLength(24);
    await destroyBackupProxyFleet(scp, { fleetId: "acme" }, { ...FAST, signal: new AbortController().signal });
    await findBackupProxies(scp, { fleetId: "acme" }, { signal: new AbortController().signal });
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  expect(warnings).not.toContain("MaxListenersExceededWarning");
}, 120_000);
