import { z } from "zod";
import type { ScpClient } from "../client.js";
import { ScpNotFoundError } from "../errors/api.js";
import { WaitDurationSchema } from "../tasks/schedule.js";
import { parseClient, parseInput } from "../validate.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { deleteServerAndWait } from "./delete-server.js";
import { type JournalItem, type JournalRecord, journalDir } from "./session-journal.js";
import { readJournals, rewriteJournal, sessionAlive } from "./session-journals.js";
import { parseSessionMarker } from "./session-marker.js";
import { deleteSnapshot, tryRemove } from "./session-steps.js";
import { requestOptions, type StepOptions, StepOptionsSchema, waitOptions } from "./step-helpers.js";
import { type BackupLeftover, type Found, type RemainingLeftover, SweepReader, unfindableLock } from "./sweep-find.js";

/** How to sweep. */
export interface SweepBackupLeftoversOptions extends StepOptions {
  /** Only find and list; remove nothing. @defaultValue false */
  dryRun?: boolean;
  /** Where sessions keep their journals; else `SCP_SDK_STATE_DIR`, else the user's cache directory. */
  stateDir?: string;
  /** Longest time the removals may take; what is left then is listed. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
}

/** What a sweep found and did; every list is empty when nothing was left behind. */
export interface SweepBackupLeftoversResult {
  /** Everything found that crashed sessions left (what a dry run would remove). */
  plan: BackupLeftover[];
  /** What was removed (nothing in a dry run). */
  removed: BackupLeftover[];
  /** What is still there: removals that failed, and locks that cannot be found (with when they expire). */
  remaining: RemainingLeftover[];
}

const Options = StepOptionsSchema.extend({
  dryRun: z.boolean().optional(),
  stateDir: z.string().min(1).optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
});

/** Removal order, as a session releases: disks before the snapshots they come from, locks, then restored VMs. */
const ORDER = ["hot-added-disk", "backup-resource", "snapshot", "server"] as const;

/**
 * Finds and removes what crashed backup and restore sessions left: disks still hot-added to proxies, backup
 * resources, session snapshots and half-restored VMs. It reads the journals of this platform's sessions whose process
 * is gone, and touches only what they name and the platform confirms (a snapshot or VM must carry the session's
 * marker; a disk its serial or source). A lock whose id was never learnt cannot be found: it is listed as remaining
 * with when it expires. Run it with `dryRun` first to see the plan.
 * @example
 * ```ts
 * const { plan } = await sweepBackupLeftovers(scp, { dryRun: true });
 * if (plan.length > 0) console.log(await sweepBackupLeftovers(scp));
 * ```
 */
export async function sweepBackupLeftovers(
  scp: ScpClient,
  options: SweepBackupLeftoversOptions = {},
): Promise<SweepBackupLeftoversResult> {
  parseClient(scp, "sweepBackupLeftovers client");
  parseInput(Options, options, "sweepBackupLeftovers options");
  const req = requestOptions(options);
  const journals = (await readJournals(journalDir(scp.baseUrl, options.stateDir))).filter(
    (j) => j.record.baseUrl === scp.baseUrl && !sessionAlive(j.record),
  );
  const reader = new SweepReader(scp, req);
  const found: Found[] = [];
  const remaining: RemainingLeftover[] = [];
  // Journal items that stay for the next sweep: what could not be removed, and locks that cannot be found.
  const keep = new Set<JournalItem>();
  for (const { record } of journals) {
    await findInJournal(reader, record, found, (lost, item) => {
      remaining.push(lost);
      keep.add(item);
    });
  }
  found.sort((a, b) => ORDER.indexOf(a.leftover.kind) - ORDER.indexOf(b.leftover.kind));
  const plan = found.map((f) => f.leftover);
  if (options.dryRun ?? D.dryRun) {
    return { plan, removed: [], remaining };
  }
  const { removed, failed } = await removeAll(scp, found, options);
  for (const f of failed) {
    remaining.push(f.remaining);
    f.found.item && keep.add(f.found.item);
  }
  for (const { file, record } of journals) {
    // What is gone (removed, or not there at all) leaves the journal.
    await rewriteJournal(file, { ...record, items: record.items.filter((item) => keep.has(item)) });
  }
  return { plan, removed, remaining };
}

type Add = (kind: BackupLeftover["kind"], id: string, serverId: string, detail: string, item?: JournalItem) => void;

/** Looks up every item of one abandoned session's journal on the platform. */
async function findInJournal(
  reader: SweepReader,
  record: JournalRecord,
  found: Found[],
  unfindable: (lost: RemainingLeftover, item: JournalItem) => void,
): Promise<void> {
  const sessionId = record.sessionId;
  const add: Add = (kind, id, serverId, detail, item) => {
    if (!found.some((f) => f.leftover.kind === kind && f.leftover.id === id && f.leftover.serverId === serverId)) {
      found.push({ leftover: { kind, id, serverId, sessionId, detail }, record, item });
    }
  };
  // Disks first, so one found through its journal item is not found again (without one) through its snapshot.
  const items = [...record.items].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  for (const item of items) {
    if (item.kind === "backup-resource") {
      const left = item.id ? await reader.lock(item.id) : undefined;
      const detail = `lock on VM ${item.serverId}, ${left} s left`;
      left !== undefined && add("backup-resource", item.id as string, item.serverId, detail, item);
      const lost = unfindableLock(record, item, Date.now());
      lost && unfindable(lost, item);
    } else {
      await findItem(reader, sessionId, item, add);
    }
  }
}

/** Looks up one journaled disk, snapshot (with clones of it on the session's proxy) or restored VM. */
async function findItem(reader: SweepReader, sessionId: string, item: JournalItem, add: Add): Promise<void> {
  if (item.kind === "hot-added-disk") {
    const disk = await reader.disk(item);
    disk && add("hot-added-disk", disk.proxyDiskId, item.serverId, `disk ${disk.diskId} of VM ${disk.serverId}`, item);
  } else if (item.kind === "snapshot") {
    const snapshot = await reader.snapshot(item, sessionId);
    if (!snapshot) {
      return;
    }
    add("snapshot", snapshot.id, item.serverId, `snapshot ${snapshot.name} of VM ${item.serverId}`, item);
    // A clone of it hot-added to the session's proxy is the session's too, journaled or not.
    const proxyId = parseSessionMarker(snapshot.description)?.proxyId ?? "";
    for (const disk of (await reader.attached(proxyId)).filter((d) => d.snapshotId === snapshot.id)) {
      add("hot-added-disk", disk.proxyDiskId, proxyId, `clone of disk ${disk.diskId} (serial ${disk.serial})`);
    }
  } else {
    const serverId = await reader.server(item, sessionId);
    serverId &&
      add("server", serverId, serverId, `VM ${item.name ?? serverId} made for a restore never committed`, item);
  }
}

/** Removes what was found, in the order a session releases, each within the time allowed. */
async function removeAll(
  scp: ScpClient,
  found: Found[],
  options: SweepBackupLeftoversOptions,
): Promise<{ removed: BackupLeftover[]; failed: { found: Found; remaining: RemainingLeftover }[] }> {
  const maxWaitMs = options.cleanupMaxWaitMs ?? D.cleanupMaxWaitMs;
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(maxWaitMs)])
    : AbortSignal.timeout(maxWaitMs);
  const wait = { ...waitOptions(options), maxWaitMs, signal };
  const removed: BackupLeftover[] = [];
  const failed: { found: Found; remaining: RemainingLeftover }[] = [];
  for (const kind of ORDER) {
    for (const f of found.filter((x) => x.leftover.kind === kind)) {
      const { leftover } = f;
      const left = await tryRemove(kind, leftover.id, leftover.serverId, () => removeOne(scp, leftover, wait));
      if (left) {
        failed.push({ found: f, remaining: { ...leftover, reason: left.reason } });
      } else {
        removed.push(leftover);
      }
    }
  }
  return { removed, failed };
}

async function removeOne(scp: ScpClient, leftover: BackupLeftover, wait: StepOptions & { signal: AbortSignal }) {
  const req = { signal: wait.signal };
  try {
    if (leftover.kind === "hot-added-disk") {
      await scp.tasks.wait(await scp.hotAdd.detach(leftover.serverId, [leftover.id], req), wait);
    } else if (leftover.kind === "backup-resource") {
      const ref = await scp.backupResources.delete(leftover.id, req);
      await (ref.taskId && scp.tasks.wait(ref.taskId, wait));
    } else if (leftover.kind === "snapshot") {
      await deleteSnapshot({ scp, wait }, leftover.serverId, leftover.id, wait);
    } else {
      await deleteServerAndWait(scp, leftover.id, wait);
    }
  } catch (error) {
    if (!(error instanceof ScpNotFoundError)) {
      throw error;
    }
  }
}
