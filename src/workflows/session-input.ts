import { z } from "zod";
import type { ScpWorkflowStep } from "../errors/workflow.js";
import { WaitDurationSchema } from "../tasks/schedule.js";
import type { VmConfig } from "../types.js";
import { ScpIdSchema } from "../validate.js";
import type { SessionClock } from "./session-lock.js";
import { type StepOptions, StepOptionsSchema } from "./step-helpers.js";

/** What to back up, and how. */
export interface OpenBackupSessionInput {
  /** The VM. */
  serverId: string;
  /** The backup proxy to hot-add to; picked with `selectBackupProxy` when omitted. */
  proxyId?: string;
  /** The checkpoint of the last committed backup: an incremental since it. Absent, undefined or 0: a full backup. */
  sinceCheckpointId?: number | undefined;
  /** How long the backup resource holds between renewals (whole seconds, 1 min to 2 h). @defaultValue 600000 */
  lockTimeMs?: number;
  /** Require a quiesced snapshot: refuse (and clean up) when the platform fell back to one that is not. @defaultValue false */
  quiesce?: boolean;
  /** Keep the session's snapshot when it closes (checkpoints outlive their snapshots either way). @defaultValue false */
  keepSnapshot?: boolean;
  /** Reset CBT before the snapshot, for a full backup after a revert or a restore expired it. @defaultValue false */
  resetCbt?: boolean;
}

/** A new VM to restore into, made from a backed-up configuration. */
export interface RestoreNewServerInput {
  /** The `vmconf` of the backed-up snapshot (`session.snapshot.vmconf`), sent as it is apart from what follows. */
  vmconf: VmConfig;
  /** The resource pool to create it in. */
  azId: string;
  /** Its name. @defaultValue vmconf's name with "-restored" */
  name?: string;
  /** The datastore for its disks (one of the pool's); vmconf's when omitted. */
  datastoreId?: string;
}

/** What to restore into, and how. Give `serverId` (an existing VM, powered off) or `newServer`. */
export interface OpenRestoreSessionInput {
  /** Restore into this VM; it must be powered off. */
  serverId?: string;
  /** Restore into a new VM, created (powered off, with empty disks) from a backed-up configuration. */
  newServer?: RestoreNewServerInput;
  /** The backup proxy to hot-add to; picked like `selectBackupProxy` when omitted. */
  proxyId?: string;
  /**
   * Differential restore into `serverId`: the checkpoint of the backup being restored. The session then lists, per
   * disk, the areas written since (`changedAreas`): only those need writing back.
   */
  sinceCheckpointId?: number;
  /** How long the backup resource holds between renewals (whole seconds, 1 min to 2 h). @defaultValue 600000 */
  lockTimeMs?: number;
  /** Power the VM on when the session closes committed. @defaultValue false */
  powerOn?: boolean;
}

/** Where a session is while it opens, as progress reports it. */
export type SessionStep = Extract<
  ScpWorkflowStep,
  "preflight" | "select-proxy" | "create-vm" | "reset-cbt" | "enable-cbt" | "snapshot" | "read-snapshot" | "lock"
>;

/** How a session opens, waits, keeps its lock and cleans up. */
export interface SessionOptions extends StepOptions {
  /** Where the session's journal goes; else `SCP_SDK_STATE_DIR`, else the user's cache directory. */
  stateDir?: string;
  /** Renew the lock once it has less than this left. @defaultValue a third of lockTimeMs, at least 30000 */
  renewMarginMs?: number;
  /** Longest time closing may take; what is left then is listed. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
  /** The clock lock renewal runs on (tests drive it with the simulator's); the real one by default. */
  clock?: SessionClock;
  /** Called at the start and end of each step of opening. */
  onProgress?: (event: { step: SessionStep; phase: "start" | "done" }) => void;
}

const checkpoint = z.number().int().min(0).max(0xffff_ffff);
const lockTimeMs = z
  .number()
  .int()
  .min(60_000)
  .max(7_200_000)
  .refine((ms) => ms % 1000 === 0, "must be whole seconds (SCP counts the lock in seconds)");

/** @internal */
export const BackupInputSchema = z
  .strictObject({
    serverId: ScpIdSchema,
    proxyId: ScpIdSchema.optional(),
    sinceCheckpointId: checkpoint.optional(),
    lockTimeMs: lockTimeMs.optional(),
    quiesce: z.boolean().optional(),
    keepSnapshot: z.boolean().optional(),
    resetCbt: z.boolean().optional(),
  })
  .refine((i) => !(i.resetCbt && (i.sinceCheckpointId ?? 0) > 0), {
    message: "a CBT reset makes older checkpoints useless: resetCbt needs a full backup (no sinceCheckpointId)",
    path: ["resetCbt"],
  });

/** @internal */
export const RestoreInputSchema = z
  .strictObject({
    serverId: ScpIdSchema.optional(),
    newServer: z
      .strictObject({
        vmconf: z.looseObject({}),
        azId: ScpIdSchema,
        name: z.string().trim().min(1).max(128).optional(),
        datastoreId: ScpIdSchema.optional(),
      })
      .optional(),
    proxyId: ScpIdSchema.optional(),
    sinceCheckpointId: checkpoint.min(1).optional(),
    lockTimeMs: lockTimeMs.optional(),
    powerOn: z.boolean().optional(),
  })
  .refine((i) => (i.serverId === undefined) !== (i.newServer === undefined), {
    message: "give serverId (an existing VM) or newServer (a VM made from a vmconf), not both",
  })
  .refine((i) => i.sinceCheckpointId === undefined || i.serverId !== undefined, {
    message: "a differential restore writes into the VM that was backed up: it needs serverId",
    path: ["sinceCheckpointId"],
  });

const clock = z.custom<SessionClock>(
  (v) => typeof v === "object" && v !== null && typeof (v as SessionClock).now === "function",
  "must have now() and sleep()",
);

/** @internal */
export const SessionOptionsSchema = StepOptionsSchema.extend({
  stateDir: z.string().min(1).optional(),
  renewMarginMs: WaitDurationSchema.min(1000).optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
  clock: clock.optional(),
  onProgress: z.function().optional(),
});

/** The options `sessionParts` reads. @internal */
export type SessionInputOptions = Pick<
  SessionOptions,
  "signal" | "pollIntervalMs" | "maxIntervalMs" | "maxWaitMs" | "cleanupMaxWaitMs"
>;
