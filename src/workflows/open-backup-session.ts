import { randomUUID } from "node:crypto";
import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors/workflow.js";
import { parseClient, parseInput } from "../validate.js";
import { BackupSession } from "./backup-session.js";
import { inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { type SelectedBackupProxy, selectBackupProxy } from "./select-backup-proxy.js";
import {
  BackupInputSchema,
  type OpenBackupSessionInput,
  type SessionOptions,
  SessionOptionsSchema,
} from "./session-input.js";
import { SYSTEM_CLOCK } from "./session-lock.js";
import { formatSessionMarker, sessionObjectName } from "./session-marker.js";
import { changeAndWait, failOpen, openJournal } from "./session-open.js";
import { checkTarget, readTarget, type SessionTarget, untrackedDisks } from "./session-preflight.js";
import { marginOf, progress, type Step } from "./session-progress.js";
import { diskSizes, readSnapshot, sessionParts } from "./session-read.js";
import { requestOptions } from "./step-helpers.js";

const WORKFLOW = "openBackupSession";
/** The SCP release with everything a session uses (hot-add arrived last). */
export const BACKUP_SESSION_MIN_VERSION = "6.11.3";

/**
 * Opens a backup session: checks the VM (refusing in words before any change), picks or checks the proxy, enables
 * CBT where it is off, takes a marked snapshot, reads its checkpoint and frozen configuration, and locks the VM with
 * a backup resource on the proxy's host that the session renews on its own. Everything it creates is journaled
 * before it is created, so `sweepBackupLeftovers` can remove it after a crash.
 * @throws {@link ScpValidationError}, {@link ScpUnsupportedVersionError} or {@link ScpPreflightError} before any
 * change; {@link ScpWorkflowError} naming the step when a later one fails, after removing what it created.
 * @example
 * ```ts
 * await using session = await openBackupSession(scp, { serverId, sinceCheckpointId: last });
 * for (const disk of session.disks) {
 *   const device = await session.attach(disk.id); // the agent reads /dev/disk/by-id/virtio-<serial>
 *   for await (const area of session.changedAreas(disk.id)) await agent.copy(device.serial, area);
 * }
 * last = (await session.commit()).checkpointId;
 * ```
 */
export async function openBackupSession(
  scp: ScpClient,
  input: OpenBackupSessionInput,
  options: SessionOptions = {},
): Promise<BackupSession> {
  parseClient(scp, `${WORKFLOW} client`);
  const parsed = parseInput(BackupInputSchema, input, `${WORKFLOW} input`);
  parseInput(SessionOptionsSchema, options, `${WORKFLOW} options`);
  const lockTimeMs = parsed.lockTimeMs ?? D.lockTimeMs;
  const marginMs = marginOf(WORKFLOW, lockTimeMs, options);
  const since = parsed.sinceCheckpointId ?? 0;
  const step = progress(options);
  const req = requestOptions(options);
  const { target, warnings, proxy } = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, async () => {
    await scp.system.requireVersion(BACKUP_SESSION_MIN_VERSION, "backup sessions (HotAdd)", req);
    const target = await step("preflight", () => readTarget(scp, WORKFLOW, parsed.serverId, req));
    const warnings = checkTarget(WORKFLOW, target, { kind: "backup", sinceCheckpoint: since > 0 });
    const proxyId = parsed.proxyId ? { proxyId: parsed.proxyId } : {};
    const proxy = await step("select-proxy", () =>
      selectBackupProxy(scp, { serverId: parsed.serverId, ...proxyId }, req),
    );
    return { target, warnings, proxy };
  });
  const id = randomUUID();
  const clock = options.clock ?? SYSTEM_CLOCK;
  const journal = await inStep("journal", () =>
    openJournal(scp, { kind: "backup", id, stateDir: options.stateDir, lockTimeMs, clock }),
  );
  const parts = sessionParts(scp, { id, kind: "backup", serverId: parsed.serverId, proxy, journal, clock }, options);
  const session = new BackupSession(parts, { proxy, since, keepSnapshot: parsed.keepSnapshot ?? D.keepSnapshot });
  session.warnings.push(...warnings);
  try {
    await prepareCbt(session, target, { reset: parsed.resetCbt ?? D.resetCbt }, step);
    await takeSnapshot(session, proxy, clock.now(), step);
    await step("read-snapshot", async () => {
      session.snapshot = await readSnapshot(scp, parsed.serverId, session.snapshotId, session.signal);
      session.disks = diskSizes(session.snapshot.vmconf, `snapshot ${session.snapshotId}`);
      requireQuiesced(session, parsed.quiesce ?? D.quiesce);
    });
    await step("lock", () => session.lock(lockTimeMs, marginMs));
  } catch (error) {
    throw await failOpen(WORKFLOW, error, () => session.releaseNow());
  }
  return session;
}

/** Resets CBT when asked, then turns it on where it is off (a change, so only after every refusal). */
async function prepareCbt(session: BackupSession, target: SessionTarget, cbt: { reset: boolean }, step: Step) {
  const parts = session.internals;
  const serverId = session.serverId;
  if (cbt.reset) {
    await step("reset-cbt", () => changeAndWait(parts, session.signal, () => parts.scp.cbt.reset(serverId)));
  }
  const off = untrackedDisks(target);
  if (off.length > 0) {
    await step("enable-cbt", () => changeAndWait(parts, session.signal, () => parts.scp.cbt.enable(serverId, off)));
  }
}

async function takeSnapshot(session: BackupSession, proxy: SelectedBackupProxy, nowMs: number, step: Step) {
  const createdAt = new Date(nowMs).toISOString();
  const marker = {
    sessionId: session.id,
    kind: "backup" as const,
    serverId: session.serverId,
    proxyId: proxy.serverId,
    createdAt,
  };
  const name = sessionObjectName("backup", session.id);
  await step("snapshot", () => session.takeSnapshot(name, formatSessionMarker(marker)));
}

function requireQuiesced(session: BackupSession, quiesce: boolean): void {
  if (quiesce && !session.snapshot.quiesced) {
    throw new ScpStateError({
      resource: `snapshot ${session.snapshot.id} of VM ${session.serverId}`,
      expected: "quiesced (quiesce: true)",
      actual: "not quiesced: the guest could not be quiesced (is vmtools running?)",
    });
  }
}
