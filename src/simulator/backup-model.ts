import type { HotAddApplication, SnapshotType, VmConfig } from "../generated/schema.js";
import type { BlockDisk } from "./block-disk.js";

/** A VM snapshot as the simulator keeps it: the frozen content of every disk and the configuration. */
export interface SimSnapshot {
  readonly id: string;
  readonly server_id: string;
  readonly name: string;
  readonly description: string;
  /** ISO 8601, as Sangfor's examples show it. */
  readonly created_at: string;
  readonly type: SnapshotType;
  readonly parent_id: string;
  readonly quiesced: 0 | 1;
  /** The CBT checkpoint it made; 0 when no disk had CBT on. */
  readonly checkpoint: number;
  /** The VM's configuration at the snapshot. */
  readonly vmconf: VmConfig;
  /** Frozen content by disk id; shares block buffers with the live disk it was taken from. */
  readonly disks: ReadonlyMap<string, BlockDisk>;
  /** Its task finished: it can be read, cloned and reverted to. */
  ready: boolean;
  /** A delete is under way. */
  deleting: boolean;
}

/** A backup resource: a lock on a VM for a backup or a restore. */
export interface SimBackupResource {
  /** Two UUIDs joined by a colon. */
  readonly id: string;
  readonly server_id: string;
  readonly type: "backup" | "restore";
  /** The host it runs on. */
  readonly host_id: string;
  /** pending until its create task finishes; released once a delete started. */
  status: "pending" | "running" | "released";
  /** Clock time the lock runs out; the resource is deleted once the clock passes it. */
  lockUntilMs: number;
}

/** A disk hot-added to a backup proxy. */
export interface HotAddAttachment {
  /** The proxy. */
  readonly proxyId: string;
  /** Its id on the proxy, such as virtio3. */
  readonly id: string;
  /** The virtio serial the proxy's guest sees. */
  readonly serial: string;
  readonly application: HotAddApplication;
  /** The protected VM and its disk. */
  readonly sourceServerId: string;
  readonly sourceDiskId: string;
  /** The snapshot cloned (backup only). */
  readonly sourceSnapshotId: string | undefined;
  /** What the guest reads and writes: a linked clone (backup) or the VM's real disk (restore). */
  readonly disk: BlockDisk;
  /** Size shown in the proxy's configuration. */
  readonly sizeMb: number;
  /** Clock time the device shows in the guest; undefined until the attach task finished. */
  visibleAtMs: number | undefined;
}

/** Changed block tracking of one disk. */
export interface DiskCbt {
  enabled: boolean;
  /** The first checkpoint with a complete change record (made after the last enable or reset). */
  validFrom: number;
  /** The last checkpoint made while enabled; 0 before the first. */
  lastCheckpoint: number;
  /** Blocks written since `lastCheckpoint`. */
  pending: Set<number>;
  /** Blocks written from checkpoint k until the next checkpoint, by k. */
  since: Map<number, Set<number>>;
}

/** Changed block tracking of one VM. */
export interface VmCbt {
  /** The last checkpoint number handed out (a 4-byte counter). */
  counter: number;
  /** A revert or a restore made the change records useless until a reset. */
  expired: boolean;
  readonly disks: Map<string, DiskCbt>;
}

/** Ids of the VMs the backup lab seeds (`backupLab: true`). */
export interface ScpSimulatorBackupLab {
  /** The running Backup Proxy of each HCI pool, by pool id. */
  readonly proxies: Readonly<Record<string, string>>;
  /** VMs worth protecting, with small disks holding seeded content (first pool unless said otherwise). */
  readonly vms: {
    /** Running with vmtools; disks virtio0 (4 MiB) and virtio1 (2 MiB). */
    readonly running: string;
    /** Powered off, with vmtools; disk virtio0 (4 MiB). */
    readonly stopped: string;
    /** Running without vmtools (its snapshots are not quiesced); disk virtio0 (2 MiB). */
    readonly noVmtools: string;
    /** Running with vmtools in the second pool; disk virtio0 (2 MiB). */
    readonly otherPool: string;
  };
  /** VMs that each fail one pre-backup check (guide page 2653164). */
  readonly refusals: {
    /** In a VMware pool (`type` vmware). */
    readonly notHci: string;
    /** `vmtype` placeholder. */
    readonly notVm: string;
    /** Turbo mode on. */
    readonly turboMode: string;
    /** Itself a Backup Proxy (powered off). */
    readonly backupProxy: string;
    /** `application` desk with `revert_mode` 1. */
    readonly deskRevertMode: string;
    /** Has an internal (qcow2) snapshot. */
    readonly internalSnapshot: string;
  };
  /** The VMware pool `refusals.notHci` lives in. */
  readonly vmwarePoolId: string;
}
