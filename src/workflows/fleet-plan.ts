import type { Server } from "../types.js";
import type { DeployBackupProxyFleetInput, ProxySize } from "./fleet-input.js";
import { parseMarker, proxyName, slotOf } from "./marker.js";
import { type ProxyProblem, proxyProblems } from "./readiness.js";

/** An existing proxy of the fleet, as the plan sees it. */
export interface PlannedProxy {
  /** VM id. */
  serverId: string;
  /** VM name. */
  name: string;
  /** Slot number from its name; undefined when it was renamed. */
  slot: number | undefined;
  /** Image it runs. */
  imageId: string | undefined;
  /** What it still needs (creation to finish, marking, power, vmtools, the init script); empty when complete. */
  needs: ProxyProblem[];
}

/** The plan for one resource pool. */
export interface PoolPlan {
  /** Resource pool. */
  azId: string;
  /** Proxies wanted (0 for a pool the input no longer lists). */
  count: number;
  /** Existing proxies on the right image that stay (some may need repair). */
  keep: PlannedProxy[];
  /** New proxies to create, by name and slot. */
  create: { name: string; slot: number }[];
  /** Proxies on another image and their successors' names (the same slot, or a spare one with maxUnavailable 0). */
  replace: { existing: PlannedProxy; name: string; slot: number }[];
  /** Proxies on the right image beyond the count: removed with `prune`, otherwise kept and reported. */
  surplus: PlannedProxy[];
  /** Proxies on another image that current ones already stand in for: deleted once those are verified. */
  retire: PlannedProxy[];
}

/** What a fleet deployment will do (or, with `dryRun`, would do). */
export interface FleetPlan {
  /** The fleet. */
  fleetId: string;
  /** The image proxies should run. */
  imageId: string;
  /** One plan per pool, including pools the fleet has proxies in but the input no longer lists. */
  pools: PoolPlan[];
  /** Whether surplus proxies will be removed. */
  prune: boolean;
  /** Totals. */
  summary: {
    keep: number;
    repair: number;
    create: number;
    replace: number;
    retire: number;
    remove: number;
    surplus: number;
  };
  /** True when nothing would change. */
  unchanged: boolean;
  /** Things worth knowing that do not stop the deployment. */
  warnings: string[];
  /** What the fleet can do once deployed: each proxy's size and its concurrent disk streams (slots). */
  capacity: FleetCapacity;
}

/** A proxy's size and what the fleet of them can serve at once. */
export interface FleetCapacity {
  /** vCPU cores × sockets of each proxy. */
  cpus: number;
  /** Memory of each proxy. */
  memoryMb: number;
  /** Disks one proxy backs up at once (about one vCPU and 2 GiB each). */
  slotsPerProxy: number;
  /** Slots of the whole fleet once every pool has its count. */
  totalSlots: number;
}

interface PoolContext {
  fleetId: string;
  azId: string;
  count: number;
  imageId: string;
  initScript: string | undefined;
  /** With 0, successors go to spare slots and are ready before their predecessors are deleted. */
  maxUnavailable: number;
}

/** The pool's VMs that carry the fleet's marker, in slot order, with what each still needs. */
function ownProxies(c: PoolContext, servers: readonly Server[]): PlannedProxy[] {
  const { fleetId, azId, initScript } = c;
  return servers
    .filter((s) => parseMarker(s.description)?.fleetId === fleetId)
    .map((s) => ({
      serverId: s.id,
      name: s.name,
      slot: slotOf(s.name, fleetId, azId),
      imageId: s.image_id ?? parseMarker(s.description)?.imageId,
      needs: proxyProblems(s, { initScript }),
    }))
    .sort((a, b) => (a.slot ?? Number.MAX_SAFE_INTEGER) - (b.slot ?? Number.MAX_SAFE_INTEGER));
}

function planPool(c: PoolContext, servers: Server[]): PoolPlan {
  const { fleetId, azId, count, imageId } = c;
  const taken = new Set(servers.map((s) => s.name));
  let next = 1;
  // The lowest slot whose name no VM (ours or not) has; never reuse another VM's name.
  const freeSlot = () => {
    while (taken.has(proxyName(fleetId, azId, next))) {
      next++;
    }
    taken.add(proxyName(fleetId, azId, next));
    return next;
  };
  const mine = ownProxies(c, servers);
  const current = mine.filter((p) => p.imageId === imageId);
  const outdated = mine.filter((p) => p.imageId !== imageId);
  const keep = current.slice(0, count);
  const missing = count - keep.length;
  // An outdated proxy with a slot is replaced in that slot; a renamed one is retired.
  // Broken ones go first: replacing a ready proxy first would leave fewer ready than the rolling limit allows.
  const replaceable = outdated
    .filter((p) => p.slot !== undefined)
    .sort((a, b) => Number(a.needs.length === 0) - Number(b.needs.length === 0))
    .slice(0, missing);
  const replace = replaceable.map((existing) => {
    const slot = c.maxUnavailable === 0 ? freeSlot() : (existing.slot as number);
    return { existing, name: proxyName(fleetId, azId, slot), slot };
  });
  const create = Array.from({ length: missing - replace.length }, () => {
    const slot = freeSlot();
    return { name: proxyName(fleetId, azId, slot), slot };
  });
  // Once the count is met on the new image, outdated proxies are retired: the end of a replacement. A pool
  // asked to have none is being scaled down, which only `prune` does.
  const rest = outdated.filter((p) => !replaceable.includes(p));
  const retire = count > 0 ? rest : [];
  return { azId, count, keep, create, replace, surplus: [...current.slice(count), ...(count > 0 ? [] : rest)], retire };
}

/** Totals over the pools. */
function summarize(pools: readonly PoolPlan[], prune: boolean): FleetPlan["summary"] {
  const sum = (f: (p: PoolPlan) => number) => pools.reduce((n, p) => n + f(p), 0);
  return {
    keep: sum((p) => p.keep.length),
    repair: sum((p) => p.keep.filter((k) => k.needs.length > 0).length),
    create: sum((p) => p.create.length),
    replace: sum((p) => p.replace.length),
    retire: sum((p) => p.retire.length),
    remove: prune ? sum((p) => p.surplus.length) : 0,
    surplus: sum((p) => p.surplus.length),
  };
}

/**
 * Plans a fleet: per pool, which proxies stay, which are created, replaced (image changed) or surplus.
 * Only VMs carrying this fleet's marker are ever planned for change.
 * @internal
 */
export function planFleet(
  input: DeployBackupProxyFleetInput,
  servers: readonly Server[],
  options: { prune: boolean; maxUnavailable: number; size: ProxySize },
): FleetPlan {
  const { prune, maxUnavailable, size } = options;
  const wanted = new Map(input.pools.map((p) => [p.azId, p.count]));
  for (const server of servers) {
    // Pools the fleet still has proxies in but the input dropped: wanted count 0.
    if (parseMarker(server.description)?.fleetId === input.fleetId && server.az_id && !wanted.has(server.az_id)) {
      wanted.set(server.az_id, 0);
    }
  }
  const pools = [...wanted].map(([azId, count]) =>
    planPool(
      { fleetId: input.fleetId, azId, count, imageId: input.imageId, initScript: input.initScript, maxUnavailable },
      servers.filter((s) => s.az_id === azId),
    ),
  );
  const summary = summarize(pools, prune);
  const warnings = input.pools
    .filter((p) => p.count > 0 && !p.networks?.length)
    .map((p) => `pool ${p.azId}: no networks given, new proxies get no NIC`);
  if (!prune && summary.surplus > 0) {
    warnings.push(`${summary.surplus} surplus proxies kept; pass prune to remove them`);
  }
  const unchanged = summary.repair + summary.create + summary.replace + summary.retire + summary.remove === 0;
  const capacity = {
    cpus: size.cores * size.sockets,
    memoryMb: size.memoryMb,
    slotsPerProxy: size.slots,
    totalSlots: size.slots * input.pools.reduce((n, p) => n + p.count, 0),
  };
  return { fleetId: input.fleetId, imageId: input.imageId, pools, prune, summary, unchanged, warnings, capacity };
}
