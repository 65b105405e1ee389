import { type BackupProxy, describeProblem, type FleetPlan, type PlannedProxy, type PoolPlan } from "../../index.js";
import type { Paint } from "./output.js";
import { formatBytes } from "./transfer-bar.js";

const named = (p: PlannedProxy) => `${p.name} (${p.serverId})`;

/** One pool's plan as lines: what is kept, repaired, created, replaced, retired and surplus. */
function poolLines(paint: Paint, pool: PoolPlan, prune: boolean): string[] {
  const row = (mark: string, what: string, why: string) => `    ${mark} ${what.padEnd(58)} ${why}`;
  return [
    `  pool ${paint.bold(pool.azId)}: want ${pool.count}`,
    ...pool.keep.map((k) =>
      k.needs.length === 0
        ? row("=", named(k), "keep")
        : row(paint.yellow("~"), named(k), `repair: ${k.needs.map(describeProblem).join("; ")}`),
    ),
    ...pool.create.map((c) => row(paint.green("+"), c.name, "create")),
    ...pool.replace.map((r) => row(paint.yellow("↻"), `${named(r.existing)} → ${r.name}`, "replace (other image)")),
    ...pool.retire.map((r) => row(paint.red("-"), named(r), "retire (replaced)")),
    ...pool.surplus.map((s) =>
      prune ? row(paint.red("-"), named(s), "remove (prune)") : row("!", named(s), "surplus, kept (pass --prune)"),
    ),
  ];
}

/** A plan for people: the totals, each pool's actions, the capacity and the warnings. */
export function planLines(paint: Paint, plan: FleetPlan): string[] {
  const s = plan.summary;
  const totals = plan.unchanged
    ? "nothing to change"
    : `${s.create} to create, ${s.replace} to replace, ${s.repair} to repair, ${s.retire} to retire, ${s.remove} to remove`;
  const c = plan.capacity;
  return [
    `Fleet ${paint.bold(plan.fleetId)} on image ${plan.imageId}: ${totals} (${s.keep} kept)`,
    ...plan.pools.flatMap((p) => poolLines(paint, p, plan.prune)),
    `Capacity: each proxy ${c.cpus} vCPU, ${formatBytes(c.memoryMb * 1024 * 1024)}, ${c.slotsPerProxy} slots; ${c.totalSlots} slots in all`,
    ...plan.warnings.map((w) => `${paint.yellow("warning:")} ${w}`),
  ];
}

/** Per pool: proxies wanted (when a spec says), present and ready. */
export function poolCounts(proxies: readonly BackupProxy[], wanted: ReadonlyMap<string, number>) {
  const pools = new Set([...wanted.keys(), ...proxies.map((p) => p.azId ?? "")]);
  return [...pools].map((azId) => {
    const here = proxies.filter((p) => (p.azId ?? "") === azId);
    return { azId, want: wanted.get(azId), have: here.length, ready: here.filter((p) => p.ready).length };
  });
}
