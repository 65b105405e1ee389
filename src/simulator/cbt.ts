import type { DiskCbt, SimSnapshot, VmCbt } from "./backup-model.js";
import type { SimServer } from "./model.js";
import { SimHttpError } from "./responses.js";
import type { World } from "./world.js";

/** The platform's text once a revert or a restore made CBT useless (guide page 2653108). */
export const CBT_EXPIRED_MESSAGE = "The VM CBT has expired. Please reset it.";
/** Checkpoint ids are 4-byte counters. */
const MAX_CHECKPOINT = 0xffff_ffff;

/** A VM's CBT state, made (all disks off) on first use. */
export function vmCbt(world: World, serverId: string): VmCbt {
  let vm = world.cbt.get(serverId);
  if (!vm) {
    vm = { counter: 0, expired: false, disks: new Map() };
    world.cbt.set(serverId, vm);
  }
  return vm;
}

function diskCbt(vm: VmCbt, diskId: string): DiskCbt {
  let disk = vm.disks.get(diskId);
  if (!disk) {
    disk = { enabled: false, validFrom: 0, lastCheckpoint: 0, pending: new Set(), since: new Map() };
    vm.disks.set(diskId, disk);
  }
  return disk;
}

/** Starts a fresh change record: only checkpoints made from now on can be the base of an incremental. */
function restart(vm: VmCbt, disk: DiskCbt): void {
  disk.validFrom = vm.counter + 1;
  disk.lastCheckpoint = 0;
  disk.pending = new Set();
  disk.since = new Map();
}

/** Applies `enable`, `disable` (on `diskIds`, all disks when undefined) or `reset` (every enabled disk). */
export function setCbt(
  world: World,
  server: SimServer,
  type: "enable" | "disable" | "reset",
  diskIds: readonly string[] | undefined,
): void {
  const vm = vmCbt(world, server.id);
  if (type === "reset") {
    vm.expired = false;
    for (const disk of vm.disks.values()) {
      if (disk.enabled) {
        restart(vm, disk);
      }
    }
    return;
  }
  for (const id of diskIds ?? server.disks.map((d) => d.id ?? "")) {
    const disk = diskCbt(vm, id);
    if (type === "enable" && !disk.enabled) {
      disk.enabled = true;
      restart(vm, disk);
    } else if (type === "disable") {
      disk.enabled = false;
      restart(vm, disk);
    }
  }
}

/** Notes blocks written to a VM's live disk, when that disk has CBT on. */
export function recordWrite(world: World, serverId: string, diskId: string, blocks: readonly number[]): void {
  const disk = world.cbt.get(serverId)?.disks.get(diskId);
  if (disk?.enabled) {
    for (const block of blocks) {
      disk.pending.add(block);
    }
  }
}

/** Makes the checkpoint of a new snapshot; 0 (none) when no disk has CBT on. */
export function makeCheckpoint(world: World, serverId: string): number {
  const vm = vmCbt(world, serverId);
  const enabled = [...vm.disks.values()].filter((d) => d.enabled);
  if (enabled.length === 0) {
    return 0;
  }
  vm.counter = vm.counter >= MAX_CHECKPOINT ? 1 : vm.counter + 1;
  for (const disk of enabled) {
    if (disk.lastCheckpoint > 0) {
      disk.since.set(disk.lastCheckpoint, disk.pending);
    }
    disk.pending = new Set();
    disk.lastCheckpoint = vm.counter;
  }
  return vm.counter;
}

/** Marks a VM's CBT expired (after a revert or a restore) until a reset. */
export function expireCbt(world: World, serverId: string): void {
  const vm = world.cbt.get(serverId);
  if (vm && [...vm.disks.values()].some((d) => d.enabled)) {
    vm.expired = true;
  }
}

/**
 * The blocks of a snapshot's disk that a changed-areas read reports: every allocated block for checkpoint 0,
 * else the blocks written between checkpoint `checkpoint` and the snapshot's checkpoint. 400 when it cannot.
 */
export function changedBlocks(world: World, snapshot: SimSnapshot, diskId: string, checkpoint: number): number[] {
  const vm = world.cbt.get(snapshot.server_id);
  const disk = vm?.disks.get(diskId);
  if (!vm || !disk?.enabled) {
    throw new SimHttpError(400, `CBT is not enabled on disk ${diskId} of VM ${snapshot.server_id}; enable it first`);
  }
  if (vm.expired) {
    throw new SimHttpError(400, CBT_EXPIRED_MESSAGE);
  }
  if (checkpoint === 0) {
    return snapshot.disks.get(diskId)?.allocatedBlocks() ?? [];
  }
  if (checkpoint > MAX_CHECKPOINT) {
    throw new SimHttpError(400, "checkpoint_id must be a 4-byte number");
  }
  if (checkpoint < disk.validFrom) {
    throw new SimHttpError(
      400,
      `checkpoint ${checkpoint} was made before CBT was last enabled or reset on disk ${diskId}; read checkpoint_id 0 (a full backup)`,
    );
  }
  if (checkpoint >= snapshot.checkpoint) {
    throw new SimHttpError(
      400,
      `checkpoint_id ${checkpoint} is not older than the checkpoint of snapshot ${snapshot.id} (${snapshot.checkpoint})`,
    );
  }
  const blocks = new Set<number>();
  for (const [from, written] of disk.since) {
    if (from >= checkpoint && from < snapshot.checkpoint) {
      for (const block of written) {
        blocks.add(block);
      }
    }
  }
  return [...blocks].sort((a, b) => a - b);
}
