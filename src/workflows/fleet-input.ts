import { z } from "zod";
import type { ScpWorkflowStep } from "../errors/workflow.js";
import { WaitDurationSchema } from "../tasks/schedule.js";
import type { NetworkRequest } from "../types.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { FLEET_ID_PATTERN } from "./marker.js";
import { type StepOptions, StepOptionsSchema } from "./step-helpers.js";

/** Most proxies one pool may ask for: proxy names carry the slot number in at most three digits. */
export const MAX_PROXIES_PER_POOL = 999;

/** Proxies wanted in one resource pool. */
export interface FleetPoolInput {
  /** Resource pool (az) id. */
  azId: string;
  /** How many proxies this pool should have (0 removes them, with `prune`). */
  count: number;
  /** Storage tag for the proxies' disks. */
  storageTagId?: string;
  /** NICs of each proxy, as SCP's create request takes them; none when omitted. */
  networks?: readonly NetworkRequest[];
}

/** Size of each proxy VM. Give `slots` (about 1 vCPU and 2 GiB per concurrently backed-up disk) or explicit figures. */
export interface FleetVmInput {
  /** Concurrent disk streams the proxy should serve; sets cores and memory unless given. */
  slots?: number;
  /** vCPU cores per socket. @defaultValue max(2, slots) or 4 */
  cores?: number;
  /** CPU sockets. @defaultValue 1 */
  sockets?: number;
  /** Memory. @defaultValue max(4096, 2048 × slots) or 8192 */
  memoryMb?: number;
  /** System disk size; the image's disk size when omitted. */
  diskSizeMb?: number;
}

/** What the fleet should look like. */
export interface DeployBackupProxyFleetInput {
  /** Names the fleet; part of every proxy's name and marker. Lower-case letters, digits, dashes (≤ 24). */
  fleetId: string;
  /** Private, administrator-owned image to create proxies from. */
  imageId: string;
  /** Proxies per pool. */
  pools: readonly FleetPoolInput[];
  /** Size of each proxy. */
  vm?: FleetVmInput;
  /** Script run once in each new proxy's guest (and again when the script changes); must be safe to repeat. */
  initScript?: string;
}

/** One proxy step, as progress reports it (and as {@link ScpWorkflowError.step} names it). */
export type FleetStep = Extract<
  ScpWorkflowStep,
  "create" | "mark" | "power-on" | "vmtools" | "init" | "verify" | "delete"
>;

/** A progress event of a fleet workflow. */
export interface FleetProgress {
  /** Proxy VM name. */
  proxy: string;
  /** Its pool. */
  azId: string;
  /** The step. */
  step: FleetStep;
  /** Whether the step starts or is done. */
  phase: "start" | "done";
}

/** How to deploy. */
export interface DeployBackupProxyFleetOptions extends StepOptions {
  /** Plan only; change nothing. @defaultValue false */
  dryRun?: boolean;
  /** Remove this fleet's proxies beyond the wanted counts (and in pools not listed). @defaultValue false */
  prune?: boolean;
  /**
   * Calls that change the platform in flight per resource pool, each with the task it starts (create, mark, power
   * on, init script, delete); waiting for a VM to boot or for vmtools holds none, so every proxy waits at once.
   * @defaultValue 4
   */
  concurrency?: number;
  /** Proxies of a pool that may be out of service at once during a rolling replacement; 0 creates before deleting. @defaultValue 1 */
  maxUnavailable?: number;
  /** Remove what this run created when it fails or is aborted. @defaultValue true */
  cleanupOnError?: boolean;
  /** Longest time that removal may take (an aborted run cleans up too); what is left is listed. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
  /** Longest wait for vmtools in a new proxy. @defaultValue 600000 */
  vmtoolsMaxWaitMs?: number;
  /** Called at the start and end of every step of every proxy. */
  onProgress?: (event: FleetProgress) => void;
  /** Delete (prune, replace) proxies that hold other VMs' disks too, removing the disks first. @defaultValue false */
  force?: boolean;
}

const id = ScpIdSchema;

/** @internal */
export const DeployFleetInputSchema = z.strictObject({
  fleetId: z.string().regex(FLEET_ID_PATTERN, "must be 1-24 lower-case letters, digits and dashes"),
  imageId: id,
  pools: z
    .array(
      z.strictObject({
        azId: id,
        count: z
          .number()
          .int()
          .min(0)
          .max(
            MAX_PROXIES_PER_POOL,
            `must be at most ${MAX_PROXIES_PER_POOL} (slot numbers in proxy names have three digits)`,
          ),
        storageTagId: id.optional(),
        networks: z.array(z.looseObject({ vif_id: id, connect: z.union([z.literal(0), z.literal(1)]) })).optional(),
      }),
    )
    .min(1, "must list at least one pool")
    .refine((pools) => new Set(pools.map((p) => p.azId)).size === pools.length, "must not list a pool twice"),
  vm: z
    .strictObject({
      slots: z.number().int().min(1).max(64).optional(),
      cores: z.number().int().min(1).max(128).optional(),
      sockets: z.number().int().min(1).max(8).optional(),
      memoryMb: z.number().int().min(1024).optional(),
      diskSizeMb: z.number().int().min(1024).optional(),
    })
    .optional(),
  initScript: z
    .string()
    .min(1)
    .max(64 * 1024)
    .optional(),
});

/** @internal */
export const DeployFleetOptionsSchema = StepOptionsSchema.extend({
  dryRun: z.boolean().optional(),
  prune: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  maxUnavailable: z.number().int().min(0).optional(),
  cleanupOnError: z.boolean().optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
  vmtoolsMaxWaitMs: WaitDurationSchema.optional(),
  onProgress: z.function().optional(),
  force: z.boolean().optional(),
});

/** The VM figures a proxy is created with. @internal */
export type ProxySize = ReturnType<typeof proxySize>;

/** Works out a proxy's figures from the input (slots or explicit) and the image's disk. @internal */
export function proxySize(vm: FleetVmInput | undefined, imageDiskMb: number | undefined) {
  const cores = vm?.cores ?? (vm?.slots ? Math.max(2, vm.slots) : D.cores);
  const sockets = vm?.sockets ?? D.sockets;
  const memoryMb = vm?.memoryMb ?? (vm?.slots ? Math.max(4096, 2048 * vm.slots) : D.memoryMb);
  // A slot (one disk backed up at a time) wants about one vCPU and 2 GiB.
  const slots = vm?.slots ?? Math.max(1, Math.min(cores * sockets, Math.floor(memoryMb / 2048)));
  return { cores, sockets, memoryMb, diskSizeMb: vm?.diskSizeMb ?? imageDiskMb ?? D.diskSizeMb, slots };
}

/**
 * Checks a fleet's input (a spec file's content, say) with the same rules `deployBackupProxyFleet` applies, without
 * contacting the platform.
 * @throws {@link ScpValidationError} naming each field that is wrong.
 */
export function validateBackupProxyFleetInput(input: unknown): DeployBackupProxyFleetInput {
  return parseInput(DeployFleetInputSchema, input, "deployBackupProxyFleet input") as DeployBackupProxyFleetInput;
}
