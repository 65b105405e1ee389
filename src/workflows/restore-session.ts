import { isOutcomeUnknown } from "../errors/call.js";
import { ScpStateError } from "../errors/workflow.js";
import type { ChangedArea } from "../resources/changed-areas.js";
import { deleteServerAndWait } from "./delete-server.js";
import { findByName } from "./fleet-servers.js";
import type { SelectedBackupProxy } from "./select-backup-proxy.js";
import { SessionCore } from "./session-core.js";
import type { RestoreNewServerInput } from "./session-input.js";
import { createLock, createSnapshot, type Held } from "./session-open.js";
import { deleteSnapshot, journalTime, tryRemove } from "./session-steps.js";
import type { AttachedDisk, ReleaseStep, SessionParts } from "./session-types.js";
import { lookFor, waitOptions } from "./step-helpers.js";

/**
 * A restore into one VM in progress: the VM (powered off) locked for the restore, its real disks hot-added to a
 * proxy for the agent to write, and for a differential restore the areas written since the backup. Commit once
 * every disk is written; close (or `await using`) to release everything.
 */
export class RestoreSession extends SessionCore {
  /** The proxy disks are hot-added to. */
  readonly proxy: SelectedBackupProxy;
  /** For a differential restore, the checkpoint of the backup restored; undefined otherwise. */
  readonly sinceCheckpointId: number | undefined;
  readonly #powerOn: boolean;
  #serverId: string;
  #base: (Held & { checkpointId: number }) | undefined;
  #server: Held | undefined;
  #committed = false;

  /** @internal */
  constructor(parts: SessionParts, init: { proxy: SelectedBackupProxy; since: number | undefined; powerOn: boolean }) {
    super(parts);
    this.#serverId = parts.serverId;
    this.proxy = init.proxy;
    this.sinceCheckpointId = init.since;
    this.#powerOn = init.powerOn;
  }

  /** The VM restored into. */
  get serverId(): string {
    return this.#serverId;
  }

  /** True when the session created the VM (from a backed-up configuration); closing uncommitted deletes it. */
  get created(): boolean {
    return this.#server !== undefined;
  }

  /** True once {@link commit} succeeded. */
  get committed(): boolean {
    return this.#committed;
  }

  /**
   * For a differential restore: the disk's areas written since the backup's checkpoint, in bytes: write the backup's
   * data back to exactly these.
   * @throws {@link ScpStateError} when the session is not a differential restore.
   */
  async *changedAreas(diskId: string): AsyncGenerator<ChangedArea, void, undefined> {
    this.guard();
    const disk = this.diskOf(diskId);
    const base = this.#base;
    if (!base || this.sinceCheckpointId === undefined) {
      const expected = "a differential restore (opened with sinceCheckpointId)";
      throw new ScpStateError({ resource: `restore session ${this.id}`, expected, actual: "a full restore" });
    }
    const input = { diskId, snapshotId: base.id, checkpointId: this.sinceCheckpointId, diskSizeBytes: disk.sizeBytes };
    try {
      yield* this.parts.scp.cbt.changedAreas(this.serverId, input, { signal: this.signal });
    } catch (error) {
      throw this.noteError(this.signal.aborted ? this.signal.reason : error);
    }
  }

  /**
   * Hot-adds the VM's real disk to the proxy (waiting for its task) for the agent to write.
   * @throws {@link ScpSessionLostError} once the lock is lost.
   */
  attach(diskId: string): Promise<AttachedDisk> {
    return this.attachDisk(diskId, { serverId: this.serverId, application: "restore" });
  }

  /** Marks the restore complete: closing then keeps the VM (and powers it on with `powerOn`). */
  async commit(): Promise<{ serverId: string }> {
    this.guard();
    await this.parts.scp.backupResources.get(this.resourceId ?? "", { signal: this.signal }).catch((error: unknown) => {
      throw this.noteError(this.signal.aborted ? this.signal.reason : error);
    });
    // A committed restore's new VM is the caller's now: no sweep may take it for a leftover.
    await (this.#server && this.parts.journal.drop(this.#server.item));
    this.#committed = true;
    return { serverId: this.serverId };
  }

  /** Creates the VM to restore into, marked and journaled, and waits for it. @internal */
  async createTarget(input: RestoreNewServerInput, marker: string): Promise<void> {
    const { scp, journal } = this.parts;
    const name = input.name ?? `${input.vmconf.name ?? "vm"}-restored`;
    const item = await journal.intent({ kind: "server", serverId: "", name }, journalTime(this.parts));
    const request = {
      ...input.vmconf,
      az_id: input.azId,
      name,
      description: marker,
      ...(input.datastoreId ? { datastore_id: input.datastoreId } : {}),
    };
    const ref = await scp.servers.createFromConfig(request, { signal: this.signal }).catch(async (error: unknown) => {
      const mine = async () => (await findByName(scp, input.azId, name)).find((s) => s.description === marker);
      const found = isOutcomeUnknown(error) ? await lookFor(mine, this.parts.wait.pollIntervalMs) : undefined;
      if (!found) {
        await (isOutcomeUnknown(error) ? undefined : journal.drop(item));
        throw error;
      }
      return { taskId: undefined, serverId: found.id };
    });
    await journal.held(item, ref.serverId, journalTime(this.parts));
    this.#server = { id: ref.serverId, item };
    this.#serverId = ref.serverId;
    await (ref.taskId && scp.tasks.wait(ref.taskId, { ...waitOptions(this.parts.wait), signal: this.signal }));
  }

  /** Snapshots the VM before any write: the point differential areas are read up to. @internal */
  async takeBase(name: string, description: string): Promise<void> {
    const held = await createSnapshot(this.parts, { serverId: this.serverId, name, description }, this.signal);
    const detail = await this.parts.scp.snapshots.get(this.serverId, held.id, { signal: this.signal });
    this.#base = { ...held, checkpointId: Number(detail.checkpoint_id) };
  }

  /** Locks the VM for the restore and starts renewing the lock. @internal */
  async lock(lockTimeMs: number, marginMs: number): Promise<void> {
    const input = { serverId: this.serverId, type: "restore" as const, lockTimeMs, hostId: this.proxy.hostId };
    await createLock(this.parts, input, this.signal, (held) => this.holdLock(held.id, held.item));
    this.keepLock(lockTimeMs, marginMs);
  }

  /** @internal */
  protected releaseSteps(): ReleaseStep[] {
    const { scp, journal } = this.parts;
    const steps: ReleaseStep[] = [];
    const base = this.#base;
    if (base) {
      steps.push((options) =>
        tryRemove("snapshot", base.id, this.serverId, async () => {
          await deleteSnapshot(this.parts, this.serverId, base.id, options);
          await journal.drop(base.item);
        }),
      );
    }
    const server = this.#server;
    if (server && !this.#committed) {
      steps.push((options) =>
        tryRemove("server", server.id, server.id, async () => {
          await deleteServerAndWait(scp, server.id, { ...waitOptions(this.parts.wait), ...options });
          await journal.drop(server.item);
        }),
      );
    } else if (this.#committed && this.#powerOn) {
      steps.push((options) =>
        tryRemove("server", this.serverId, this.serverId, async () => {
          const ref = await scp.servers.start(this.serverId, { signal: options.signal });
          await scp.tasks.wait(ref, { ...waitOptions(this.parts.wait), ...options });
        }).then((left) => left && { ...left, reason: `restored but not powered on: ${left.reason}` }),
      );
    }
    return steps;
  }
}
