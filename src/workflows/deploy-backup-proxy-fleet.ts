import type { ScpClient } from "../client.js";
import type { RequestOptions } from "../resources/request-options.js";
import { parseInput } from "../validate.js";
import { forEachLimit, PoolLanes } from "./concurrency.js";
import { createProxy } from "./create-proxy.js";
import { CreatedResources, cleanupBudget, inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { deleteServerAndWait } from "./delete-server.js";
import { type BackupProxy, fleetProxies } from "./find-backup-proxies.js";
import {
  type DeployBackupProxyFleetInput,
  type DeployBackupProxyFleetOptions,
  DeployFleetInputSchema,
  DeployFleetOptionsSchema,
  type ProxySize,
  proxySize,
} from "./fleet-input.js";
import { type FleetPlan, type PoolPlan, planFleet } from "./fleet-plan.js";
import { fleetPreflight } from "./fleet-preflight.js";
import { readFleetServers } from "./fleet-servers.js";
import { convergeProxy, type FleetContext, inLane, step } from "./provision-proxy.js";
import { ServerWatch } from "./server-watch.js";
import { requestOptions, waitOptions } from "./step-helpers.js";

/** What a fleet deployment did. */
export interface DeployBackupProxyFleetResult {
  /** The plan it followed (with `dryRun`, the plan it would follow). */
  plan: FleetPlan;
  /** The fleet's proxies afterwards, with readiness. */
  proxies: BackupProxy[];
  /** Ids of VMs this run created. */
  created: string[];
  /** Ids of existing proxies kept (and repaired where needed), and of any a concurrent run created first. */
  adopted: string[];
  /** Ids of VMs this run deleted (replaced or pruned). */
  removed: string[];
}

const WORKFLOW = "deployBackupProxyFleet";

/**
 * Makes a backup-proxy fleet match the input, declaratively: per pool it keeps, repairs, creates, replaces
 * (rolling, when the image changed) and, with `prune`, removes this fleet's proxies. Safe to re-run: every VM it
 * creates carries an ownership marker and a deterministic name, a create never runs for a name that exists, and
 * nothing without the marker is ever changed. It reads only VMs named like the fleet's proxies, so its cost
 * follows the fleet, not the platform. `concurrency` bounds the changes in flight per pool; waits are shared.
 * @throws {@link ScpValidationError} for bad input and {@link ScpUnsupportedVersionError} / {@link ScpPreflightError}
 * when the platform is not ready, all before any change; {@link ScpWorkflowError} when a step fails or the run is
 * aborted (at any point), after removing what the run created within `cleanupMaxWaitMs` (unless `cleanupOnError`
 * is false), listing what remains.
 * @example
 * ```ts
 * const { plan, proxies } = await deployBackupProxyFleet(scp, {
 *   fleetId: "veeam", imageId, pools: [{ azId: poolA, count: 2, networks }], initScript: "systemctl start agent",
 * }, { onProgress: (e) => console.log(e.proxy, e.step, e.phase) });
 * ```
 */
export async function deployBackupProxyFleet(
  scp: ScpClient,
  input: DeployBackupProxyFleetInput,
  options: DeployBackupProxyFleetOptions = {},
): Promise<DeployBackupProxyFleetResult> {
  const parsed = parseInput(DeployFleetInputSchema, input, `${WORKFLOW} input`) as DeployBackupProxyFleetInput;
  parseInput(DeployFleetOptionsSchema, options, `${WORKFLOW} options`);
  const { plan, proxies, size } = await planRun(scp, parsed, options);
  const adopted = plan.pools.flatMap((p) => p.keep.map((k) => k.serverId));
  if (options.dryRun || plan.unchanged) {
    return { plan, proxies, created: [], adopted, removed: [] };
  }
  const ctx = newContext(scp, parsed, size, options);
  const removed: string[] = [];
  try {
    await execute(ctx, plan, removed);
  } catch (error) {
    const cleanup = (options.cleanupOnError ?? D.cleanupOnError) && cleanupBudget(options);
    throw await ctx.created.fail(WORKFLOW, error, { cleanup, between: ctx.lastStep });
  }
  // The work is done: an abort arriving now is too late to change anything, so the final read ignores it.
  const after = fleetProxies(await readFleetServers(scp, parsed.fleetId, {}), parsed.fleetId);
  return { plan, proxies: after, created: ctx.created.ids("server"), adopted: [...adopted, ...ctx.adopted], removed };
}

/** Preflight, one consistent read of the fleet's VMs, and the plan; an abort here is a workflow error too. */
async function planRun(scp: ScpClient, input: DeployBackupProxyFleetInput, options: DeployBackupProxyFleetOptions) {
  const req: RequestOptions = requestOptions(options);
  return throwIfAbortedBeforeChanges(WORKFLOW, options.signal, async () => {
    const { image, warnings } = await inStep("preflight", () => fleetPreflight(scp, input, req));
    const servers = await inStep("read-fleet", () => readFleetServers(scp, input.fleetId, req));
    const size: ProxySize = proxySize(input.vm, image.disks?.[0]?.size_mb);
    const plan = planFleet(input, servers, {
      prune: options.prune ?? D.prune,
      maxUnavailable: options.maxUnavailable ?? D.maxUnavailable,
      size,
    });
    plan.warnings.push(...warnings);
    return { plan, proxies: fleetProxies(servers, input.fleetId), size };
  });
}

function newContext(
  scp: ScpClient,
  input: DeployBackupProxyFleetInput,
  size: ProxySize,
  options: DeployBackupProxyFleetOptions,
): FleetContext {
  // The first failure anywhere halts the rest of the run, so no pool keeps changing after it.
  const halt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  const lanes = new PoolLanes(options.concurrency ?? D.concurrency);
  const step = { ...waitOptions(options), signal };
  const watch = new ServerWatch(scp);
  return {
    scp,
    input,
    size,
    options,
    signal,
    step,
    created: new CreatedResources(),
    halt,
    lanes,
    watch,
    adopted: [],
    lastStep: "create",
  };
}

/**
 * Carries out the plan. Every proxy's chain runs at once; only changes take a lane of their pool (see
 * `PoolLanes`), so the run takes about the pool's task time divided by `concurrency`, plus one proxy's own chain
 * (its tasks, boot and vmtools), plus a poll interval per wait. The lower bound it is measured against:
 * max over pools of (that pool's task time / concurrency) + the chain after the last task (boot, vmtools).
 */
async function execute(ctx: FleetContext, plan: FleetPlan, removed: string[]): Promise<void> {
  const all = <T>(items: readonly T[], work: (item: T) => Promise<unknown>) =>
    forEachLimit(items, items.length, async (item) => void (await work(item)), ctx.signal, ctx.halt);
  // 1. Bring every pool to its count on the new image: repair what is kept, create what is missing.
  await all(
    plan.pools.flatMap((pool) => [
      ...pool.keep
        .filter((k) => k.needs.length > 0)
        .map((k) => () => convergeProxy(ctx, pool.azId, k.serverId, k.name)),
      ...pool.create.map((c) => () => provision(ctx, pool.azId, c.name)),
    ]),
    (job) => job(),
  );
  // 2. Replace proxies on another image, pool by pool, a few at a time; then retire outdated proxies that
  //    current ones already stand in for (an earlier run stopped between a successor and its predecessor's delete).
  await all(
    plan.pools.filter((p) => p.replace.length > 0),
    (pool) => replaceRolling(ctx, pool, removed),
  );
  await all(
    plan.pools.flatMap((p) => p.retire.map((proxy) => ({ pool: p, proxy }))),
    ({ pool, proxy }) => remove(ctx, pool.azId, proxy, removed),
  );
  // 3. Only then remove the surplus, and only when asked.
  if (plan.prune) {
    await all(
      plan.pools.flatMap((p) => p.surplus.map((proxy) => ({ pool: p, proxy }))),
      ({ pool, proxy }) => remove(ctx, pool.azId, proxy, removed),
    );
  }
}

async function provision(ctx: FleetContext, azId: string, name: string): Promise<string> {
  const { serverId, adopted } = await createProxy(ctx, azId, name);
  if (adopted) {
    ctx.adopted.push(serverId);
  }
  await convergeProxy(ctx, azId, serverId, name);
  return serverId;
}

async function remove(
  ctx: FleetContext,
  azId: string,
  proxy: { serverId: string; name: string },
  removed: string[],
): Promise<void> {
  const { serverId, name } = proxy;
  await step(ctx, { name, azId }, "delete", () =>
    inLane(ctx, azId, "delete", () => deleteServerAndWait(ctx.scp, serverId, ctx.step, ctx.watch)),
  );
  removed.push(serverId);
  // A later failure must still say this existing proxy is gone.
  ctx.created.note(`deleted proxy ${name} (${serverId})`);
}

/**
 * Replaces a pool's outdated proxies in batches of `maxUnavailable`, deleting each batch before creating its
 * successors in the same slots, so the pool never has fewer than `count - maxUnavailable` ready proxies. With
 * `maxUnavailable` 0 each successor (planned in a spare slot) is ready before its predecessor goes. A successor
 * whose predecessor is gone is kept even if the run fails later: removing it would shrink the pool.
 */
async function replaceRolling(ctx: FleetContext, pool: PoolPlan, removed: string[]): Promise<void> {
  const batch = ctx.options.maxUnavailable ?? D.maxUnavailable;
  const all = <T>(items: readonly T[], work: (item: T) => Promise<unknown>) =>
    forEachLimit(items, items.length, async (item) => void (await work(item)), ctx.signal, ctx.halt);
  if (batch === 0) {
    for (const r of pool.replace) {
      ctx.signal.throwIfAborted();
      const successor = await provision(ctx, pool.azId, r.name);
      await remove(ctx, pool.azId, r.existing, removed);
      ctx.created.keep(successor);
    }
    return;
  }
  for (let at = 0; at < pool.replace.length; at += batch) {
    ctx.signal.throwIfAborted();
    const group = pool.replace.slice(at, at + batch);
    await all(group, (r) => remove(ctx, pool.azId, r.existing, removed));
    await all(group, async (r) => ctx.created.keep(await provision(ctx, pool.azId, r.name)));
  }
}
