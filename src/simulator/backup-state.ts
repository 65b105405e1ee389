import { remainTime } from "./backup-resources.js";
import type { World } from "./world.js";

/** A snapshot in a state snapshot. */
export interface SnapshotState {
  readonly id: string;
  readonly server_id: string;
  readonly name: string;
  readonly type: string;
  readonly checkpoint_id: string;
  readonly quiesced: 0 | 1;
  readonly created_at: string;
  /** Its task finished. */
  readonly ready: boolean;
  /** A delete is under way. */
  readonly deleting: boolean;
}

/** A backup resource in a state snapshot. */
export interface BackupResourceState {
  readonly id: string;
  readonly server_id: string;
  readonly type: "backup" | "restore";
  readonly status: string;
  readonly host_id: string;
  /** Seconds its lock has left. */
  readonly remain_time: number;
}

/** A disk hot-added to a proxy, in a state snapshot. */
export interface HotAddedDiskState {
  /** Its id on the proxy. */
  readonly id: string;
  readonly serial: string;
  readonly application: "backup" | "restore";
  readonly source_server_id: string;
  readonly source_disk_id: string;
  readonly source_snapshot_id: string | undefined;
  /** It shows in the proxy's guest now. */
  readonly visible: boolean;
}

/** One VM's changed block tracking, in a state snapshot. */
export interface CbtState {
  /** The last checkpoint handed out. */
  readonly counter: number;
  /** Expired (after a revert or a restore) until a reset. */
  readonly expired: boolean;
  /** Per disk: on or off, the first checkpoint an incremental may start from, the blocks written since the last. */
  readonly disks: Readonly<
    Record<string, { readonly enabled: boolean; readonly validFrom: number; readonly pendingBlocks: number }>
  >;
}

/** The backup-related part of a state snapshot. */
export interface ScpSimulatorBackupState {
  /** Every snapshot, oldest first. */
  readonly snapshots: readonly SnapshotState[];
  /** Every backup resource (VM lock). */
  readonly backupResources: readonly BackupResourceState[];
  /** Disks hot-added to each proxy, by proxy id (proxies without any are absent). */
  readonly hotAddedDisks: Readonly<Record<string, readonly HotAddedDiskState[]>>;
  /** Changed block tracking by VM id (VMs never touched by CBT are absent). */
  readonly cbt: Readonly<Record<string, CbtState>>;
}

/** Reads the backup-related state at `nowMs`. */
export function backupState(world: World, nowMs: number): ScpSimulatorBackupState {
  return {
    snapshots: [...world.snapshots.values()].map((s) => ({
      id: s.id,
      server_id: s.server_id,
      name: s.name,
      type: s.type,
      checkpoint_id: String(s.checkpoint),
      quiesced: s.quiesced,
      created_at: s.created_at,
      ready: s.ready,
      deleting: s.deleting,
    })),
    backupResources: [...world.backupResources.values()].map((r) => ({
      id: r.id,
      server_id: r.server_id,
      type: r.type,
      status: r.status,
      host_id: r.host_id,
      remain_time: remainTime(r, nowMs),
    })),
    hotAddedDisks: hotAddedDiskStates(world, nowMs),
    cbt: cbtStates(world),
  };
}

function hotAddedDiskStates(world: World, nowMs: number): Record<string, HotAddedDiskState[]> {
  const byProxy: Record<string, HotAddedDiskState[]> = {};
  for (const a of world.hotAdds.values()) {
    byProxy[a.proxyId] ??= [];
    byProxy[a.proxyId]?.push({
      id: a.id,
      serial: a.serial,
      application: a.application,
      source_server_id: a.sourceServerId,
      source_disk_id: a.sourceDiskId,
      source_snapshot_id: a.sourceSnapshotId,
      visible: a.visibleAtMs !== undefined && a.visibleAtMs <= nowMs,
    });
  }
  return byProxy;
}

function cbtStates(world: World): Record<string, CbtState> {
  const out: Record<string, CbtState> = {};
  for (const [serverId, vm] of world.cbt) {
    const disks = [...vm.disks].map(([id, d]) => [
      id,
      { enabled: d.enabled, validFrom: d.validFrom, pendingBlocks: d.pending.size },
    ]);
    out[serverId] = { counter: vm.counter, expired: vm.expired, disks: Object.fromEntries(disks) };
  }
  return out;
}
