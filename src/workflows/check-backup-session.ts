import { z } from "zod";
import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import { parseClient, parseInput, ScpIdSchema } from "../validate.js";
import { BACKUP_SESSION_MIN_VERSION } from "./open-backup-session.js";
import { type SelectedBackupProxy, selectBackupProxy } from "./select-backup-proxy.js";
import { readTarget, targetChecks, targetWarnings, untrackedDisks } from "./session-preflight.js";
import { requestOptions } from "./step-helpers.js";

const WORKFLOW = "checkBackupSession";

/** The VM a backup would be of, and how. */
export interface CheckBackupSessionInput {
  /** The VM to back up. */
  serverId: string;
  /** Check this proxy instead of picking one. */
  proxyId?: string;
  /** Check for an incremental since this checkpoint (CBT must be on for every disk); absent or 0: a full backup. */
  sinceCheckpointId?: number;
}

/** What {@link checkBackupSession} found: every check passed, the warnings, and the proxy a session would use. */
export interface BackupSessionCheck {
  /** The VM checked. */
  serverId: string;
  /** The checkpoint an incremental would start from; 0 for a full backup. */
  sinceCheckpointId: number;
  /** Every check made, each passed (a failed one throws). */
  checks: ScpCheck[];
  /** What a session would change or meet that does not stop it. */
  warnings: string[];
  /** The proxy {@link openBackupSession} would pick (or the one asked for). */
  proxy: SelectedBackupProxy;
}

const Input = z.strictObject({
  serverId: ScpIdSchema,
  proxyId: ScpIdSchema.optional(),
  sinceCheckpointId: z.number().int().min(0).max(0xffff_ffff).optional(),
});
const Options = z.strictObject({ signal: z.instanceof(AbortSignal).optional() });

/**
 * Makes the checks {@link openBackupSession} makes before it changes anything, and picks the proxy it would use,
 * reading only: for a "can this VM be backed up now?" answer without a snapshot or a lock.
 * @throws {@link ScpValidationError} for bad input or a value that is not a client, before any request;
 * {@link ScpPreflightError} listing every check (the proxy's among them) when one fails;
 * {@link ScpUnsupportedVersionError} on an SCP older than {@link BACKUP_SESSION_MIN_VERSION}.
 */
export async function checkBackupSession(
  scp: ScpClient,
  input: CheckBackupSessionInput,
  options: { signal?: AbortSignal } = {},
): Promise<BackupSessionCheck> {
  parseClient(scp, `${WORKFLOW} client`);
  const { serverId, proxyId, sinceCheckpointId = 0 } = parseInput(Input, input, `${WORKFLOW} input`);
  parseInput(Options, options, `${WORKFLOW} options`);
  const req = requestOptions(options);
  await scp.system.requireVersion(BACKUP_SESSION_MIN_VERSION, "backup sessions (HotAdd)", req);
  const target = await readTarget(scp, WORKFLOW, serverId, req);
  const checks = targetChecks(target, { kind: "backup", sinceCheckpoint: sinceCheckpointId > 0 });
  let proxy: SelectedBackupProxy | undefined;
  try {
    proxy = await selectBackupProxy(scp, { serverId, ...(proxyId ? { proxyId } : {}) }, req);
    const where = `${proxy.freeSlots}/${proxy.slots} slots free${proxy.sameHost ? ", on the VM's host" : ""}`;
    checks.push({ name: "a ready proxy with a free slot", ok: true, detail: `${proxy.name} (${where})` });
  } catch (error) {
    if (!(error instanceof ScpPreflightError)) {
      throw error;
    }
    checks.push(...error.checks);
  }
  if (!proxy || checks.some((c) => !c.ok)) {
    throw new ScpPreflightError({ workflow: WORKFLOW, checks });
  }
  const warnings = targetWarnings(target, sinceCheckpointId === 0 ? untrackedDisks(target) : []);
  return { serverId, sinceCheckpointId, checks, warnings, proxy };
}
