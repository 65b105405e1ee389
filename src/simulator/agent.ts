import type { HotAddAttachment } from "./backup-model.js";
import type { BlockDisk } from "./block-disk.js";
import { recordWrite } from "./cbt.js";
import type { SimServer } from "./model.js";
import type { World } from "./world.js";

/**
 * Direct access to VMs' disks, standing in for what happens inside guests (an application writing its data).
 * Offsets and lengths are bytes; unwritten parts read as zeros. Unknown ids and ranges past a disk's end throw.
 */
export interface ScpSimulatorDisks {
  /** Writes bytes to a VM's live disk (changed block tracking sees the write). */
  write(serverId: string, diskId: string, offset: number, bytes: Uint8Array): void;
  /** Reads bytes of a VM's live disk. */
  read(serverId: string, diskId: string, offset: number, length: number): Uint8Array;
  /** Hex SHA-256 of a whole disk: the live disk, or its frozen content in a snapshot. Hashes every byte. */
  sha256(serverId: string, diskId: string, options?: { readonly snapshotId?: string }): string;
}

/** A block device the proxy's guest sees (a hot-added disk). */
export interface GuestDevice {
  /** The virtio serial, as in `/dev/disk/by-id/virtio-<serial>`. */
  readonly serial: string;
  /** Size in bytes. */
  readonly sizeBytes: number;
}

/**
 * The data path inside a backup proxy's guest, for tests and examples to play the in-guest agent: devices are
 * the disks hot-added to that proxy, found by serial once they show (see `hotAddDeviceDelayMs`). Reading a backup
 * device reads the frozen snapshot; writing a restore device writes the target VM's real disk.
 */
export interface ScpSimulatorGuest {
  /** Devices that show in the proxy's guest now. */
  devices(proxyId: string): readonly GuestDevice[];
  /** Reads a device found by serial; throws before the device shows. */
  readDevice(proxyId: string, serial: string, offset: number, length: number): Uint8Array;
  /** Writes a device found by serial; throws before the device shows. */
  writeDevice(proxyId: string, serial: string, offset: number, bytes: Uint8Array): void;
}

/** The two agent interfaces over one world. */
export function createAgent(world: World): { disks: ScpSimulatorDisks; guest: ScpSimulatorGuest } {
  return { disks: diskAccess(world), guest: guestAccess(world) };
}

function diskAccess(world: World): ScpSimulatorDisks {
  return {
    write: (serverId, diskId, offset, bytes) => {
      const { server, disk } = liveDisk(world, serverId, diskId);
      recordWrite(world, server.id, diskId, disk.write(offset, checkBytes(bytes)));
    },
    read: (serverId, diskId, offset, length) => liveDisk(world, serverId, diskId).disk.read(offset, length),
    sha256: (serverId, diskId, options = {}) => {
      if (options.snapshotId === undefined) {
        return liveDisk(world, serverId, diskId).disk.sha256();
      }
      const snapshot = world.snapshots.get(options.snapshotId);
      if (!snapshot || snapshot.server_id !== serverId) {
        throw new Error(`VM ${serverId} has no snapshot ${options.snapshotId}`);
      }
      const frozen = snapshot.disks.get(diskId);
      if (!frozen) {
        throw new Error(`snapshot ${options.snapshotId} of VM ${serverId} has no disk ${diskId}`);
      }
      return frozen.sha256();
    },
  };
}

function guestAccess(world: World): ScpSimulatorGuest {
  return {
    devices: (proxyId) => {
      const nowMs = runningProxy(world, proxyId);
      return [...world.hotAdds.values()]
        .filter((a) => a.proxyId === proxyId && shows(a, nowMs))
        .map((a) => ({ serial: a.serial, sizeBytes: a.disk.sizeBytes }));
    },
    readDevice: (proxyId, serial, offset, length) => device(world, proxyId, serial).disk.read(offset, length),
    writeDevice: (proxyId, serial, offset, bytes) => {
      const attachment = device(world, proxyId, serial);
      const touched = attachment.disk.write(offset, checkBytes(bytes));
      // A restore device is the target VM's real disk; a backup device is a linked clone nobody tracks.
      if (attachment.application === "restore") {
        recordWrite(world, attachment.sourceServerId, attachment.sourceDiskId, touched);
      }
    },
  };
}

function liveDisk(world: World, serverId: string, diskId: string): { server: SimServer; disk: BlockDisk } {
  world.advance();
  const server = world.servers.get(serverId);
  if (!server || server.recycled) {
    throw new Error(`VM ${serverId} does not exist`);
  }
  const disk = world.diskStore.live(server, diskId);
  if (!disk) {
    throw new Error(`VM ${serverId} has no disk ${diskId}`);
  }
  return { server, disk };
}

/** Applies what is due and checks the proxy runs; returns now. */
function runningProxy(world: World, proxyId: string): number {
  const nowMs = world.advance();
  const proxy = world.servers.get(proxyId);
  if (!proxy || proxy.recycled) {
    throw new Error(`VM ${proxyId} does not exist`);
  }
  if (proxy.runningSinceMs === undefined) {
    throw new Error(`VM ${proxyId} is not running: its guest sees no devices`);
  }
  return nowMs;
}

function device(world: World, proxyId: string, serial: string): HotAddAttachment {
  const nowMs = runningProxy(world, proxyId);
  const attachment = world.hotAdds.get(serial);
  if (!attachment || attachment.proxyId !== proxyId) {
    throw new Error(`no device with serial ${serial} is attached to VM ${proxyId}`);
  }
  if (!shows(attachment, nowMs)) {
    throw new Error(`the device with serial ${serial} does not show in VM ${proxyId}'s guest yet; wait for it`);
  }
  return attachment;
}

function shows(attachment: HotAddAttachment, nowMs: number): boolean {
  return attachment.visibleAtMs !== undefined && attachment.visibleAtMs <= nowMs;
}

function checkBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("bytes must be a Uint8Array");
  }
  return bytes;
}
