// The data plane the examples play: the agent inside a backup proxy's guest, and a tiny backup repository.
// A real agent reads and writes /dev/disk/by-id/virtio-<serial> in the proxy; against the embedded simulator the
// examples play it through `simulator.guest`. The SDK does the control plane around it.
import { createHash } from "node:crypto";
import type { AttachedDisk, BackupSession, RestoreSession } from "sangfor-scp-sdk";
import type { ScpSimulator } from "sangfor-scp-sdk/simulator";
import { connect, type Target } from "./connect.js";

/** One backup in the repository: each disk's areas and their bytes. */
export type Backup = Map<string, { offset: number; bytes: Uint8Array }[]>;

/** Waits until the hot-added device shows in the proxy's guest (it may show a moment after its task ends). */
async function deviceShows(sim: ScpSimulator, device: AttachedDisk): Promise<void> {
  while (!sim.guest.devices(device.proxyId).some((d) => d.serial === device.serial)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Copies every area a backup session lists, disk by disk, into a new backup; returns it and the bytes read. */
export async function copyOut(session: BackupSession, sim: ScpSimulator | undefined) {
  const backup: Backup = new Map();
  let bytes = 0;
  for (const disk of session.disks) {
    const device = await session.attach(disk.id);
    const areas: { offset: number; bytes: Uint8Array }[] = [];
    await (sim && deviceShows(sim, device));
    for await (const area of session.changedAreas(disk.id)) {
      const read = sim
        ? sim.guest.readDevice(device.proxyId, device.serial, area.offset, area.length)
        : new Uint8Array();
      areas.push({ offset: area.offset, bytes: read });
      bytes += area.length;
    }
    backup.set(disk.id, areas);
    await device.detach();
  }
  return { backup, bytes };
}

/** A disk as a chain of backups restores it: each backup's areas laid over the ones before. */
export function rebuild(chain: readonly Backup[], diskId: string, sizeBytes: number): Uint8Array {
  const image = new Uint8Array(sizeBytes);
  for (const backup of chain) {
    for (const area of backup.get(diskId) ?? []) {
      image.set(area.bytes, area.offset);
    }
  }
  return image;
}

/** Hex SHA-256. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Writes a chain's areas into the disks a restore session hot-adds (a new VM's disks start empty). */
export async function copyIn(session: RestoreSession, chain: readonly Backup[], sim: ScpSimulator | undefined) {
  let bytes = 0;
  for (const disk of session.disks) {
    const device = await session.attach(disk.id);
    await (sim && deviceShows(sim, device));
    for (const backup of chain) {
      for (const area of backup.get(disk.id) ?? []) {
        sim?.guest.writeDevice(device.proxyId, device.serial, area.offset, area.bytes);
        bytes += area.bytes.length;
      }
    }
    await device.detach();
  }
  return bytes;
}

/** Connects (the simulator with its backup lab, or SCP_URL) and names the VM to back up (SCP_BACKUP_VM there). */
export async function connectForBackup(): Promise<Target & { serverId: string }> {
  const target = await connect({ backupLab: true });
  if (!target.backupServerId) {
    await target.close();
    throw new Error("set SCP_BACKUP_VM to the id of a VM to back up");
  }
  return { ...target, serverId: target.backupServerId };
}
