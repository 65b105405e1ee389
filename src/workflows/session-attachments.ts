import { ScpTaskError } from "../errors/call.js";
import { ScpStateError } from "../errors/workflow.js";
import type { JournalItem } from "./session-journal.js";
import { takeProxySlot } from "./session-slots.js";
import { type AttachRequest, detachDisk, journalTime, sendHotAdd } from "./session-steps.js";
import type { AttachedDisk, SessionParts } from "./session-types.js";
import { waitOptions } from "./step-helpers.js";

/** The disks a session has hot-added, each with its journal item and the proxy slot it holds. @internal */
export class SessionAttachments {
  readonly #parts: SessionParts;
  readonly #held = new Map<string, { disk: AttachedDisk; item: JournalItem; release: () => void }>();

  constructor(parts: SessionParts) {
    this.#parts = parts;
  }

  /** The disk attached for a VM disk, if it is. */
  find(diskId: string): AttachedDisk | undefined {
    return [...this.#held.values()].find((a) => a.disk.diskId === diskId)?.disk;
  }

  /** Proxy-side ids of every disk attached. */
  ids(): string[] {
    return [...this.#held.keys()];
  }

  /** Takes a slot, journals, hot-adds and waits; tracked from the answer on, so closing detaches it. */
  async add(request: AttachRequest, sizeBytes: number, signal: AbortSignal): Promise<AttachedDisk> {
    const { proxy, journal, scp, wait } = this.#parts;
    const mine = this.#held.size;
    if (mine >= proxy.slots) {
      const actual = `${mine} attached by this session; detach one first`;
      throw new ScpStateError({ resource: `proxy ${proxy.id}`, expected: `at most ${proxy.slots} disks`, actual });
    }
    const release = await takeProxySlot(scp, proxy.id, proxy.slots, signal);
    const source = { serverId: request.serverId, diskId: request.diskId, snapshotId: request.snapshotId };
    let item: JournalItem | undefined;
    let sent: Awaited<ReturnType<typeof sendHotAdd>>;
    try {
      item = await journal.intent({ kind: "hot-added-disk", serverId: proxy.id, source }, journalTime(this.#parts));
      sent = await sendHotAdd(this.#parts, request, signal);
    } catch (error) {
      release();
      await (item && journal.drop(item));
      throw error;
    }
    const { proxyDiskId, serial } = sent.disk;
    await journal.held(Object.assign(item, { name: serial }), proxyDiskId, journalTime(this.#parts));
    const handle: AttachedDisk = {
      ...{ proxyId: proxy.id, proxyDiskId, serial, diskId: request.diskId, sizeBytes },
      detach: () => this.detach(proxyDiskId),
    };
    this.#held.set(proxyDiskId, { disk: handle, item, release });
    try {
      await (sent.taskId && scp.tasks.wait(sent.taskId, { ...waitOptions(wait), signal: signal }));
    } catch (error) {
      // A failed hot-add task attached nothing: forget it. Anything else (an abort) may leave it: close detaches it.
      if (error instanceof ScpTaskError) {
        this.#held.delete(proxyDiskId);
        release();
        await journal.drop(item);
      }
      throw error;
    }
    return handle;
  }

  /** Removes an attached disk from the proxy and gives its slot back; nothing when it is not attached. */
  async detach(proxyDiskId: string, signal?: AbortSignal): Promise<void> {
    const held = this.#held.get(proxyDiskId);
    if (!held) {
      return;
    }
    await detachDisk(this.#parts, proxyDiskId, held.item, signal ? { signal } : {});
    this.#held.delete(proxyDiskId);
    held.release();
  }
}
