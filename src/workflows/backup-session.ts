import type { ChangedArea } from "../resources/changed-areas.js";
import type { VmConfig } from "../types.js";
import type { SelectedBackupProxy } from "./select-backup-proxy.js";
import { SessionCore } from "./session-core.js";
import { createLock, createSnapshot, type Held } from "./session-open.js";
import { deleteSnapshot, tryRemove } from "./session-steps.js";
import type { AttachedDisk, ReleaseStep, SessionParts } from "./session-types.js";

/** The snapshot a backup session reads. */
export interface SessionSnapshot {
  /** Its id. */
  id: string;
  /** The CBT checkpoint it made: the base of the next incremental, once this backup is committed. */
  checkpointId: number;
  /** Whether the guest's file systems were quiesced (the platform falls back silently when it cannot). */
  quiesced: boolean;
  /** The VM's configuration it froze (what a restore into a new VM sends back). */
  vmconf: VmConfig;
}

/** What a committed backup gives to store as the base of the next incremental. */
export interface BackupCommit {
  /** The session's snapshot (deleted when the session closes unless `keepSnapshot`). */
  snapshotId: string;
  /** Pass it as `sinceCheckpointId` to the next session. */
  checkpointId: number;
}

/**
 * A backup of one VM in progress: a snapshot, a lock the session renews on its own, changed areas to read, and the
 * snapshot's disks hot-added (as linked clones) to a proxy. Close it (or `await using` it) to release everything.
 */
export class BackupSession extends SessionCore {
  /** The VM backed up. */
  readonly serverId: string;
  /** The proxy disks are hot-added to. */
  readonly proxy: SelectedBackupProxy;
  /** The checkpoint changed areas are read since; 0 for a full backup (its areas are every allocated one). */
  readonly sinceCheckpointId: number;
  /** The session's snapshot; set once the session is open. */
  snapshot!: SessionSnapshot;
  readonly #keepSnapshot: boolean;
  #held: Held | undefined;
  #committed = false;

  /** @internal */
  constructor(parts: SessionParts, init: { proxy: SelectedBackupProxy; since: number; keepSnapshot: boolean }) {
    super(parts);
    this.serverId = parts.serverId;
    this.proxy = init.proxy;
    this.sinceCheckpointId = init.since;
    this.#keepSnapshot = init.keepSnapshot;
  }

  /** True once {@link commit} succeeded. */
  get committed(): boolean {
    return this.#committed;
  }

  /**
   * The disk's areas to read: changed since `sinceCheckpointId`, or every allocated area for a full, in bytes and
   * in order, listed to the disk's end.
   * @throws {@link ScpSessionLostError} once the lock is lost; {@link ScpCbtExpiredError} when CBT expired.
   */
  async *changedAreas(diskId: string): AsyncGenerator<ChangedArea, void, undefined> {
    this.guard();
    const disk = this.diskOf(diskId);
    const { scp } = this.parts;
    const input = {
      diskId,
      snapshotId: this.snapshot.id,
      checkpointId: this.sinceCheckpointId,
      diskSizeBytes: disk.sizeBytes,
    };
    try {
      yield* scp.cbt.changedAreas(this.serverId, input, { signal: this.signal });
    } catch (error) {
      throw this.noteError(this.signal.aborted ? this.signal.reason : error);
    }
  }

  /**
   * Hot-adds a linked clone of the snapshot's disk to the proxy (waiting for its task) and says how the agent finds
   * it. Waits for a free slot when this process's sessions use all of the proxy's.
   * @throws {@link ScpSessionLostError} once the lock is lost.
   */
  attach(diskId: string): Promise<AttachedDisk> {
    return this.attachDisk(diskId, { serverId: this.serverId, snapshotId: this.snapshot.id, application: "backup" });
  }

  /**
   * Marks the backup complete (the caller stored every area it read) and returns the base of the next incremental.
   * Only a committed session advances the base; it checks the lock still holds.
   * @throws {@link ScpSessionLostError} when the lock was lost (the backup is not complete).
   */
  async commit(): Promise<BackupCommit> {
    this.guard();
    await this.parts.scp.backupResources.get(this.resourceId ?? "", { signal: this.signal }).catch((error: unknown) => {
      throw this.noteError(this.signal.aborted ? this.signal.reason : error);
    });
    this.#committed = true;
    return { snapshotId: this.snapshot.id, checkpointId: this.snapshot.checkpointId };
  }

  /** Takes the session's marked snapshot. @internal */
  async takeSnapshot(name: string, description: string): Promise<void> {
    this.#held = await createSnapshot(this.parts, { serverId: this.serverId, name, description }, this.signal);
  }

  /** The snapshot's id once taken (before it is read). @internal */
  get snapshotId(): string {
    return this.#held?.id ?? "";
  }

  /** Locks the VM for the backup, on the proxy's host, and starts renewing the lock. @internal */
  async lock(lockTimeMs: number, marginMs: number): Promise<void> {
    const input = { serverId: this.serverId, type: "backup" as const, lockTimeMs, hostId: this.proxy.hostId };
    await createLock(this.parts, input, this.signal, (held) => this.holdLock(held.id, held.item));
    this.keepLock(lockTimeMs, marginMs);
  }

  /** @internal */
  protected releaseSteps(): ReleaseStep[] {
    const held = this.#held;
    if (!held) {
      return [];
    }
    if (this.#keepSnapshot) {
      // Kept on purpose: the caller's now, not a leftover for a sweep.
      return [async () => void (await this.parts.journal.drop(held.item))];
    }
    return [
      (options) =>
        tryRemove("snapshot", held.id, this.serverId, async () => {
          await deleteSnapshot(this.parts, this.serverId, held.id, options);
          await this.parts.journal.drop(held.item);
        }),
    ];
  }
}
