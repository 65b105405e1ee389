import { BlockDisk } from "./block-disk.js";
import type { SimServer } from "./model.js";

const MIB = 1024 * 1024;

/**
 * The live content of every VM's disks, made empty (all zeros) the first time a disk is used, at the size its
 * configuration gives. VMs nobody writes to cost nothing.
 */
export class DiskStore {
  /** Block size of every disk. */
  readonly blockSize: number;
  readonly #live = new Map<string, Map<string, BlockDisk>>();

  /** Creates a store whose disks use `blockSize` blocks. */
  constructor(blockSize: number) {
    this.blockSize = blockSize;
  }

  /** The live disk `diskId` of a VM; undefined when its configuration has no such disk. */
  live(server: SimServer, diskId: string): BlockDisk | undefined {
    const config = server.disks.find((d) => d.id === diskId);
    if (!config) {
      return undefined;
    }
    let disks = this.#live.get(server.id);
    if (!disks) {
      disks = new Map();
      this.#live.set(server.id, disks);
    }
    let disk = disks.get(diskId);
    if (!disk) {
      disk = new BlockDisk(Math.round((config.size_mb ?? 0) * MIB), this.blockSize);
      disks.set(diskId, disk);
    }
    return disk;
  }

  /** Every disk of a VM's configuration with its live content. */
  all(server: SimServer): Map<string, BlockDisk> {
    const out = new Map<string, BlockDisk>();
    for (const config of server.disks) {
      const disk = config.id === undefined ? undefined : this.live(server, config.id);
      if (config.id !== undefined && disk) {
        out.set(config.id, disk);
      }
    }
    return out;
  }

  /** Forgets a deleted VM's content. */
  drop(serverId: string): void {
    this.#live.delete(serverId);
  }
}
