// Seeded fault rules over the requests a workflow sends: every fault kind the simulator has, on creates, edits,
// deletes and reads.
import type { FaultRule } from "../../../src/simulator/index.js";
import type { Rng } from "./mode.js";

/** Every fault kind of the simulator (the type check below fails when one is added and not listed). */
export const FAULT_KINDS = [
  "error",
  "latency",
  "reset",
  "apply-then-drop",
  "task-failure",
  "slow-task",
  "stuck-task",
  "device-delay",
  "partial-changed-areas",
] as const;
type Unlisted = Exclude<FaultRule["kind"], (typeof FAULT_KINDS)[number]>;
const everyKindListed: Unlisted extends never ? true : false = true;
void everyKindListed;

/** The kind of change a target is, as RELIABILITY.md counts them. */
export type TargetKind = "create" | "edit" | "delete" | "read";

/** A request pattern a fault is put on, and what kind of request it is. */
export interface FaultTarget {
  name: string;
  kind: TargetKind;
  match: string;
}

const ERROR_STATUSES = [400, 401, 403, 404, 409, 429, 500, 502, 503] as const;

/** A rule of `kind` on `target`, its numbers drawn from the trial's generator. */
export function faultRule(rng: Rng, kind: (typeof FAULT_KINDS)[number], target: FaultTarget): FaultRule {
  const common = {
    match: target.match,
    count: rng.int(1, 3),
    ...(rng.chance(0.3) ? { rate: rng.pick([0.3, 0.5, 0.8]) } : {}),
  };
  switch (kind) {
    case "error":
      return { ...common, kind, status: rng.pick(ERROR_STATUSES), ...(rng.chance(0.3) ? { retryAfterSec: 0 } : {}) };
    case "latency":
      return { ...common, kind, delayMs: rng.int(0, 80) };
    case "slow-task":
      return { ...common, kind, factor: rng.int(2, 12), extraMs: rng.int(0, 300) };
    case "device-delay":
      return { ...common, kind, delayMs: rng.int(0, 200) };
    case "partial-changed-areas":
      return { ...common, kind, maxAreas: rng.int(1, 3) };
    case "task-failure":
      return { ...common, kind, reason: `chaos: ${target.name} failed` };
    default:
      return { ...common, kind };
  }
}

/** One or two rules for a trial: the trial's own kind on a drawn target, sometimes with a second random one. */
export function faultRules(
  rng: Rng,
  trial: number,
  targets: readonly FaultTarget[],
): { rules: FaultRule[]; targets: FaultTarget[] } {
  const kind = FAULT_KINDS[trial % FAULT_KINDS.length] as (typeof FAULT_KINDS)[number];
  // Kinds and targets cycle at once; their counts share no factor, so a long run meets every pair.
  const first = targets[trial % targets.length] as FaultTarget;
  const rules = [faultRule(rng, kind, first)];
  const used = [first];
  if (rng.chance(0.4)) {
    const second = rng.pick(targets);
    rules.push(faultRule(rng, rng.pick(FAULT_KINDS), second));
    used.push(second);
  }
  return { rules, targets: used };
}

/** The requests a fleet deployment sends, by what they do. */
export const DEPLOY_TARGETS: readonly FaultTarget[] = [
  { name: "create VM", kind: "create", match: "POST /janus/20220725/servers" },
  { name: "edit VM (mark, init marker)", kind: "edit", match: "PUT /janus/20210725/servers/*" },
  { name: "power on", kind: "edit", match: "POST /janus/20180725/servers/*/start" },
  { name: "guest script", kind: "edit", match: "POST /janus/20180725/custom/orchestration-tasks/action" },
  { name: "delete VM", kind: "delete", match: "DELETE /janus/20180725/servers/*" },
  { name: "list VMs", kind: "read", match: "GET /janus/20240725/servers" },
  { name: "read VM config", kind: "read", match: "GET /janus/20240725/servers/*" },
  { name: "read task", kind: "read", match: "GET /janus/20180725/tasks/*" },
  { name: "list tasks", kind: "read", match: "GET /janus/20180725/tasks" },
  { name: "list images", kind: "read", match: "GET /janus/20200725/images" },
  { name: "read version", kind: "read", match: "GET /janus/20180725/system/version" },
];

/** The requests publishing an image sends, by what they do. */
export const PUBLISH_TARGETS: readonly FaultTarget[] = [
  { name: "make image from VM", kind: "create", match: "POST /janus/20180725/images/action" },
  { name: "export image", kind: "create", match: "POST /janus/20240725/images/*/export" },
  { name: "create image", kind: "create", match: "POST /janus/20180725/images" },
  { name: "upload image", kind: "edit", match: "PUT /janus/20180725/images/*/upload" },
  { name: "edit image", kind: "edit", match: "PUT /janus/20180725/images/*" },
  { name: "stop golden VM", kind: "edit", match: "POST /janus/20180725/servers/*/stop" },
  { name: "start golden VM", kind: "edit", match: "POST /janus/20180725/servers/*/start" },
  { name: "delete image", kind: "delete", match: "DELETE /janus/20180725/images/*" },
  { name: "download image", kind: "read", match: "GET /janus/20240725/images/*/download" },
  { name: "list images", kind: "read", match: "GET /janus/20200725/images" },
  { name: "read task", kind: "read", match: "GET /janus/20180725/tasks/*" },
  { name: "list tenants", kind: "read", match: "GET /janus/20190725/projects" },
  { name: "list VMs", kind: "read", match: "GET /janus/20240725/servers" },
];
