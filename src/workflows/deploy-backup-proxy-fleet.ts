import type { ScpClient } from "../client.js";
import type { Server } from "../types.js";
import { parseInput } from "../validate.js";
import { forEachLimit } from "./concurrency.js";
import { CreatedResources } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import { type BackupProxy, findBackupProxies } from "./find-backup-proxies.js";
import {
  type DeployFleetInput,
  DeployFleetInputSchema,
  type DeployFleetOptions,
  DeployFleetOptionsSchema,
  proxySize,
} from "./fleet-input.js";
import { type FleetPlan, type PoolPlan, planFleet } from "./fleet-plan.js";
import { fleetPreflight } from "./fleet-preflight.js";
import { convergeProxy, createProxy, type FleetContext, step } from "./provision-proxy.js";
import { deleteServerAndWait, requestOptions } from "./step-helpers.js";

/** What a fleet deployment did. */
export interface DeployFleetResult {
  /** The plan it followed (with `dryRun`, the plan it would follow). */
  plan: FleetPlan;
  /** The fleet's proxies afterwards, with readiness. */
  proxies: BackupProxy[];
  /** Ids of VMs this run created. */
  created: string[];
  /** Ids of existing proxies kept (and repaired where needed). */
  adopted: string[];
  /** Ids of VMs this run deleted (replaced or pruned). */
  removed: string[];
}

const WORKFLOW = "deployBackupProxyFleet";

/**
 * Makes a backup-proxy fleet match the input, declaratively: per pool it keeps, repairs, creates, replaces
 * (rolling, when the image changed) and, with `prune`, removes this fleet's proxies. Safe to re-run: every VM it
 * creates carries an ownership marker and a deterministic name, and nothing without the marker is ever changed.
 * @throws {@link ScpValidationError} for bad input and {@link ScpUnsupportedVersionError} / {@link ScpPreflightError}
 * when the platform is not ready, all before any change; {@link ScpWorkflowError} when a step fails or the run is
 * aborted, after removing what the run created (unless `cleanupOnError` is false).
 * @example
 * ```ts
 * const { plan, proxies } = await deployBackupProxyFleet(scp, {
 *   fleetId: "veeam", imageId, pools: [{ azId: poolA, count: 2, networks }], initScript: "systemctl start agent",
 * }, { onProgress: (e) => console.log(e.proxy, e.step, e.phase) });
 * ```
 */
export async function deployBackupProxyFleet(
  scp: ScpClient,
  input: DeployFleetInput,
  options: DeployFleetOptions = {},
): Promise<DeployFleetResult> {
  const parsed = parseInput(DeployFleetInputSchema, input, `${WORKFLOW} input`) as DeployFleetInput;
  parseInput(DeployFleetOptionsSchema, options, `${WORKFLOW} options`);
  const req = requestOptions(options);
  const { image, warnings } = await fleetPreflight(scp, parsed, req);
  const servers: Server[] = [];
  for await (const server of scp.servers.listAll({}, req)) {
    servers.push(server);
  }
  const size = proxySize(parsed.vm, image.disks?.[0]?.size_mb);
  const plan = planFleet(parsed, servers, {
    prune: options.prune ?? WORKFLOW_DEFAULTS.prune,
    maxUnavailable: options.maxUnavailable ?? WORKFLOW_DEFAULTS.maxUnavailable,
    size,
  });
  plan.warnings.push(...warnings);
  const adopted = plan.pools.flatMap((p) => p.keep.map((k) => k.serverId));
  if (options.dryRun || plan.unchanged) {
    const proxies = await findBackupProxies(scp, { fleetId: parsed.fleetId }, req);
    return { plan, proxies, created: [], adopted, removed: [] };
  }
  // The first failure anywhere halts the rest of the run, so no pool keeps changing after it.
  const halt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  const ctx: FleetContext = {
    scp,
    input: parsed,
    size,
    options: { ...options, signal },
    created: new CreatedResources(),
    halt,
  };
  const removed: string[] = [];
  try {
    await execute(ctx, plan, removed);
  } catch (error) {
    const cleanup = options.cleanupOnError ?? WORKFLOW_DEFAULTS.cleanupOnError;
    throw await ctx.created.fail(WORKFLOW, error, { cleanup, between: "create" });
  }
  // The work is done: an abort arriving now is too late to change anything, so the final read ignores it.
  const proxies = await findBackupProxies(scp, { fleetId: parsed.fleetId });
  return { plan, proxies, created: ctx.created.ids("server"), adopted, removed };
}

async function execute(ctx: FleetContext, plan: FleetPlan, removed: string[]): Promise<void> {
  const { options, halt } = ctx;
  const concurrency = options.concurrency ?? WORKFLOW_DEFAULTS.concurrency;
  const each = <T>(items: readonly T[], work: (item: T) => Promise<unknown>) =>
    forEachLimit(items, concurrency, async (item) => void (await work(item)), options.signal, halt);
  // 1. Bring every pool to its count on the new image: repair what is kept, create what is missing.
  await each(
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
  await each(
    plan.pools.filter((p) => p.replace.length > 0),
    (pool) => replaceRolling(ctx, pool, removed),
  );
  await each(
    plan.pools.flatMap((p) => p.retire.map((proxy) => ({ pool: p, proxy }))),
    ({ pool, proxy }) => remove(ctx, pool.azId, proxy, removed),
  );
  // 3. Only then remove the surplus, and only when asked.
  if (plan.prune) {
    await each(
      plan.pools.flatMap((p) => p.surplus.map((proxy) => ({ pool: p, proxy }))),
      ({ pool, proxy }) => remove(ctx, pool.azId, proxy, removed),
    );
  }
}

async function provision(ctx: FleetContext, azId: string, name: string): Promise<string> {
  const serverId = await createProxy(ctx, azId, name);
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
  await step(ctx, { name, azId }, "delete", async () => {
    await deleteServerAndWait(ctx.scp, serverId, ctx.options);
    removed.push(serverId);
    // A later failure must still say this existing proxy is gone.
    ctx.created.note(`deleted proxy ${name} (${serverId})`);
  });
}

/**
 * Replaces a pool's outdated proxies in batches of `maxUnavailable`, deleting each batch before creating its
 * successors in the same slots, so the pool never has fewer than `count - maxUnavailable` ready proxies. With
 * `maxUnavailable` 0 each successor (planned in a spare slot) is ready before its predecessor goes. A successor
 * whose predecessor is gone is kept even if the run fails later: removing it would shrink the pool.
 */
async function replaceRolling(ctx: FleetContext, pool: PoolPlan, removed: string[]): Promise<void> {
  const batch = ctx.options.maxUnavailable ?? WORKFLOW_DEFAULTS.maxUnavailable;
  const all = <T>(items: readonly T[], work: (item: T) => Promise<unknown>) =>
    forEachLimit(items, items.length, async (item) => void (await work(item)), ctx.options.signal, ctx.halt);
  if (batch === 0) {
    for (const r of pool.replace) {
      ctx.options.signal?.throwIfAborted();
      const successor = await provision(ctx, pool.azId, r.name);
      await remove(ctx, pool.azId, r.existing, removed);
      ctx.created.keep(successor);
    }
    return;
  }
  for (let at = 0; at < pool.replace.length; at += batch) {
    ctx.options.signal?.throwIfAborted();
    const group = pool.replace.slice(at, at + batch);
    await all(group, (r) => remove(ctx, pool.azId, r.existing, removed));
    await all(group, async (r) => ctx.created.keep(await provision(ctx, pool.azId, r.name)));
  }
}
