import { forEachLimit } from "./concurrency.js";
import { createProxy } from "./create-proxy.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { deleteServerAndWait } from "./delete-server.js";
import { releaseHeldDisks } from "./fleet-held.js";
import type { FleetPlan, PoolPlan } from "./fleet-plan.js";
import { convergeProxy, type FleetContext, inLane, step } from "./provision-proxy.js";

/**
 * Carries out the plan. Every proxy's chain runs at once; only changes take a lane of their pool (see
 * `PoolLanes`), so the run takes about the pool's task time divided by `concurrency`, plus one proxy's own chain
 * (its tasks, boot and vmtools), plus a poll interval per wait. The lower bound it is measured against:
 * max over pools of (that pool's task time / concurrency) + the chain after the last task (boot, vmtools).
 * @internal
 */
export async function executePlan(ctx: FleetContext, plan: FleetPlan, removed: string[]): Promise<void> {
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
    inLane(ctx, azId, "delete", async () => {
      // Only with force can a proxy still hold disks here (the preflight refused otherwise): remove them first.
      await (ctx.options.force ? releaseHeldDisks(ctx.scp, serverId, ctx.step) : undefined);
      await deleteServerAndWait(ctx.scp, serverId, ctx.step, ctx.watch);
    }),
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
