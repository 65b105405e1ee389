import type { ScpClient } from "../client.js";
import { ScpNotFoundError } from "../errors/api.js";
import type { ScpSessionResourceKind } from "../errors/session.js";
import type { HotAddedDisk } from "../options.js";
import type { SnapshotListItem } from "../types.js";
import { readConsistently } from "./fleet-servers.js";
import type { JournalItem, JournalRecord } from "./session-journal.js";
import { parseSessionMarker } from "./session-marker.js";
import { lockExpiry } from "./session-steps.js";

/** Something a crashed session left on the platform. */
export interface BackupLeftover {
  /** What it is. */
  kind: ScpSessionResourceKind;
  /** Its id: the proxy-side disk id for a hot-added disk, else its own. */
  id: string;
  /** The VM it belongs to: the proxy for a hot-added disk, the locked VM for a backup resource. */
  serverId: string;
  /** The session that left it. */
  sessionId: string;
  /** What it is, in words. */
  detail: string;
}

/** A leftover that is still there after the sweep (or would be, in a dry run), and why. */
export interface RemainingLeftover extends BackupLeftover {
  /** Why it remains. */
  reason: string;
  /** When the platform removes it on its own (a lock), as ISO 8601. */
  expiresAt?: string | undefined;
}

/** A leftover found, with where it came from. @internal */
export interface Found {
  leftover: BackupLeftover;
  record: JournalRecord;
  /** Its journal item; none for a disk found through its marked source snapshot. */
  item: JournalItem | undefined;
}

const gone = <T>(read: Promise<T>, none: T): Promise<T> =>
  read.catch((error: unknown) => {
    if (error instanceof ScpNotFoundError) {
      return none;
    }
    throw error;
  });

/** The read kept for `key`, made on first use. */
function once<T>(reads: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let kept = reads.get(key);
  if (!kept) {
    kept = read();
    reads.set(key, kept);
  }
  return kept;
}

/** Reads the platform for a sweep, each proxy's disks and each VM's snapshots once. @internal */
export class SweepReader {
  readonly #scp: ScpClient;
  readonly #req: { signal?: AbortSignal };
  readonly #attached = new Map<string, Promise<HotAddedDisk[]>>();
  readonly #snapshots = new Map<string, Promise<SnapshotListItem[]>>();

  constructor(scp: ScpClient, req: { signal?: AbortSignal }) {
    this.#scp = scp;
    this.#req = req;
  }

  /** The disks hot-added to a proxy (none when it is gone), read once. */
  attached(proxyId: string): Promise<HotAddedDisk[]> {
    return once(this.#attached, proxyId, () => gone(this.#scp.hotAdd.attached(proxyId, this.#req), []));
  }

  /** A VM's snapshots (none when it is gone), read once. */
  snapshots(serverId: string): Promise<SnapshotListItem[]> {
    return once(this.#snapshots, serverId, () => gone(this.#scp.snapshots.list(serverId, this.#req), []));
  }

  /** The journaled disk on its proxy: by id and serial once held, by its source while only intended. */
  async disk(item: JournalItem): Promise<HotAddedDisk | undefined> {
    const disks = await this.attached(item.serverId);
    const source = item.source;
    return item.state === "held"
      ? disks.find((d) => d.proxyDiskId === item.id && d.serial === item.name)
      : disks.find(
          (d) => d.serverId === source?.serverId && d.diskId === source?.diskId && d.snapshotId === source?.snapshotId,
        );
  }

  /** The journaled snapshot, only when it carries this session's marker. */
  async snapshot(item: JournalItem, sessionId: string): Promise<SnapshotListItem | undefined> {
    const found = (await this.snapshots(item.serverId)).find((s) =>
      item.state === "held" ? s.id === item.id : s.name === item.name,
    );
    return parseSessionMarker(found?.description)?.sessionId === sessionId ? found : undefined;
  }

  /** The journaled backup resource's seconds left, or undefined when it is gone. */
  async lock(id: string): Promise<number | undefined> {
    const resource = await gone(this.#scp.backupResources.get(id, this.#req), undefined);
    return resource?.remain_time;
  }

  /** The VM a restore created, only when it carries this session's marker. */
  async server(item: JournalItem, sessionId: string): Promise<string | undefined> {
    const ours = (description: string | undefined) => parseSessionMarker(description)?.sessionId === sessionId;
    if (item.state === "held" && item.id) {
      const server = await this.#scp.servers.find(item.id, this.#req);
      return server && ours(server.description) ? server.id : undefined;
    }
    if (!item.name) {
      return undefined;
    }
    const named = await readConsistently(this.#scp, { query_name: item.name }, this.#req);
    return named.find((s) => s.name === item.name && ours(s.description))?.id;
  }
}

/** A lock whose create answer was lost: it cannot be found (no call lists them) but may hold until it expires. */
export function unfindableLock(record: JournalRecord, item: JournalItem, nowMs: number): RemainingLeftover | undefined {
  const expiresAt = lockExpiry(item);
  if (item.state !== "intent" || expiresAt === undefined || Date.parse(expiresAt) <= nowMs) {
    return undefined;
  }
  return {
    ...{ kind: "backup-resource", id: "(unknown)", serverId: item.serverId, sessionId: record.sessionId },
    detail: `a lock on VM ${item.serverId} whose create answer was lost`,
    reason: "its id was never learnt and no call lists backup resources: it cannot be found or released",
    expiresAt,
  };
}
