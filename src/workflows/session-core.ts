import { ScpSessionCleanupError, type ScpSessionLeftover, ScpSessionLostError } from "../errors/session.js";
import { ScpStateError } from "../errors/workflow.js";
import { SessionAttachments } from "./session-attachments.js";
import type { JournalItem } from "./session-journal.js";
import { LockKeeper } from "./session-lock.js";
import { type AttachRequest, lockExpiry, removeResource, tryRemove } from "./session-steps.js";
import type { AttachedDisk, ReleaseStep, SessionDiskInfo, SessionParts } from "./session-types.js";

/**
 * What backup and restore sessions share: the lock and its keeper, hot-added disks, failing fast once lost, and a
 * release that always runs in the same order (disks, lock, then the kind's own steps) and lists what remains.
 */
export abstract class SessionCore implements AsyncDisposable {
  /** The session id (in the journal and in every marker). */
  readonly id: string;
  /** Aborts when the session ends: lock lost, caller's signal aborted, or closed. */
  readonly signal: AbortSignal;
  /** The disks of the VM. */
  disks: SessionDiskInfo[] = [];
  /** Things worth knowing that did not stop the session. */
  readonly warnings: string[] = [];
  /** @internal */
  protected readonly parts: SessionParts;
  readonly #controller = new AbortController();
  readonly #attached: SessionAttachments;
  #lock: { id: string; item: JournalItem; keeper: LockKeeper | undefined } | undefined;
  #ended: unknown;
  #firstError: unknown;
  #closing: Promise<void> | undefined;

  protected constructor(parts: SessionParts) {
    this.parts = parts;
    this.#attached = new SessionAttachments(parts);
    this.id = parts.id;
    this.signal = parts.signal ? AbortSignal.any([parts.signal, this.#controller.signal]) : this.#controller.signal;
    this.signal.addEventListener("abort", () => this.#end(this.signal.reason), { once: true });
  }

  /** Throws why the session can no longer be used, if it cannot. @internal */
  protected guard(): void {
    if (this.#ended !== undefined) {
      throw this.#ended;
    }
  }

  /** One of the VM's disks. @internal */
  protected diskOf(diskId: string): SessionDiskInfo {
    const disk = this.disks.find((d) => d.id === diskId);
    if (!disk) {
      const expected = `one of its disks (${this.disks.map((d) => d.id).join(", ")})`;
      throw new ScpStateError({ resource: `session ${this.id}`, expected, actual: diskId });
    }
    return disk;
  }

  /** The backup resource (the platform's lock on the VM) the session holds and renews; set once it is open. */
  get resourceId(): string | undefined {
    return this.#lock?.id;
  }

  /** Notes the session's first error, for the cleanup error to carry; returns it. @internal */
  protected noteError(error: unknown): unknown {
    this.#firstError ??= error;
    return error;
  }

  #end(reason: unknown): void {
    this.#ended ??= reason;
    if (reason instanceof ScpSessionLostError) {
      this.noteError(reason);
    }
    this.#controller.abort(reason);
  }

  /** Records the backup resource the session holds (released on close), before it is kept alive. @internal */
  protected holdLock(resourceId: string, item: JournalItem): void {
    this.#lock = { id: resourceId, item, keeper: undefined };
  }

  /** Starts keeping the held backup resource alive in the background. @internal */
  protected keepLock(lockTimeMs: number, marginMs: number): void {
    const lock = this.#lock;
    if (!lock) {
      return;
    }
    const { scp, id, clock, wait, journal } = this.parts;
    lock.keeper = new LockKeeper({
      ...{ scp, sessionId: id, resourceId: lock.id, lockTimeMs, marginMs, clock, wait },
      onRenewed: () => journal.heartbeat(new Date(clock.now()), lock.item).catch(() => undefined),
      onLost: (error) => this.#end(error),
    });
    lock.keeper.start();
  }

  /** Hot-adds one of the VM's disks to the proxy, within the proxy's slots. @internal */
  protected async attachDisk(diskId: string, request: Omit<AttachRequest, "diskId">): Promise<AttachedDisk> {
    this.guard();
    const disk = this.diskOf(diskId);
    const held = this.#attached.find(diskId);
    if (held) {
      return held;
    }
    try {
      return await this.#attached.add({ ...request, diskId }, disk.sizeBytes, this.signal);
    } catch (error) {
      throw this.noteError(error);
    }
  }

  /** The kind's own release steps, run after the disks are detached and the lock released. @internal */
  protected abstract releaseSteps(): ReleaseStep[];

  /**
   * Ends the session: detaches every disk still attached, releases the backup resource, then runs the kind's own
   * steps (deletes the snapshot, powers a restored VM on, …), each within `cleanupMaxWaitMs`, even after errors and
   * aborts. A second call waits for the first.
   * @throws {@link ScpSessionCleanupError} listing what could not be removed (the cause is the session's first error).
   */
  close(): Promise<void> {
    this.#closing ??= this.#release().then((leftovers) => {
      if (leftovers.length > 0) {
        throw new ScpSessionCleanupError({ sessionId: this.id, leftovers, cause: this.#firstError });
      }
    });
    return this.#closing;
  }

  /** The same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Releases everything now and returns what remains (for a session that failed to open). @internal */
  releaseNow(): Promise<ScpSessionLeftover[]> {
    const run = this.#release();
    this.#closing ??= run.then(() => undefined);
    return run;
  }

  /** What the session is built from. @internal */
  get internals(): SessionParts {
    return this.parts;
  }

  async #release(): Promise<ScpSessionLeftover[]> {
    this.#end(new ScpStateError({ resource: `session ${this.id}`, expected: "open", actual: "closed" }));
    const signal = AbortSignal.timeout(this.parts.cleanupMaxWaitMs);
    const options = { ...this.parts.wait, maxWaitMs: this.parts.cleanupMaxWaitMs, signal };
    const proxyId = this.parts.proxy.id;
    const disks = await Promise.all(
      this.#attached
        .ids()
        .map((id) => tryRemove("hot-added-disk", id, proxyId, () => this.#attached.detach(id, signal))),
    );
    const lock = this.#lock;
    await lock?.keeper?.stop();
    const resource = lock && (await removeResource(this.parts, lock.id, lock.item, options));
    const rest: (ScpSessionLeftover | undefined)[] = [];
    for (const step of this.releaseSteps()) {
      rest.push(await step(options));
    }
    const known = [...disks, resource, ...rest].filter((l): l is ScpSessionLeftover => l !== undefined);
    const journal = this.parts.journal;
    // Creates whose answer was lost stay in the journal as intents: the sweep looks for them.
    const leftovers = [...known, ...journal.unresolved().map(unresolvedLeftover)];
    await (leftovers.length === 0 ? journal.clear() : journal.close(new Date(this.parts.clock.now()))).catch(
      () => undefined,
    );
    return leftovers;
  }
}

/** A create whose answer was lost, as a leftover: it may exist; only a lock can be neither found nor released. */
function unresolvedLeftover(item: JournalItem): ScpSessionLeftover {
  const lock = item.kind === "backup-resource";
  const reason = lock
    ? "its create answer was lost and no call lists backup resources: it cannot be released, only expire"
    : `its create answer was lost: sweepBackupLeftovers looks for it by name (${item.name ?? "?"})`;
  return { kind: item.kind, id: item.id ?? "(unknown)", serverId: item.serverId, reason, expiresAt: lockExpiry(item) };
}
