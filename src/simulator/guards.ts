import type { Caller, SimServer } from "./model.js";
import { isBusy } from "./power.js";
import { SimHttpError } from "./responses.js";
import { findServer } from "./server-lookup.js";
import type { World } from "./world.js";

/** Refuses a caller who is not a platform administrator (403), as SCP does for the backup interfaces. */
export function requireAdmin(caller: Caller, what: string): void {
  if (caller.roleType !== "admin") {
    throw new SimHttpError(403, `only platform administrators may ${what}`);
  }
}

/** The VM with this id, refusing one that is being created or deleted (409). */
export function findIdleServer(world: World, caller: Caller, id: string): SimServer {
  const server = findServer(world, caller, id);
  if (isBusy(server)) {
    throw new SimHttpError(409, `VM ${server.id} is ${server.status}; try again when its task ends`);
  }
  return server;
}

/** Refuses a VM outside an HCI pool: snapshots, CBT and backup resources are HCI features. */
export function requireHci(server: SimServer, what: string): void {
  if (server.type !== "hci") {
    throw new SimHttpError(400, `VM ${server.id} is not in an HCI resource pool; only HCI VMs support ${what}`);
  }
}

/** True while a VM's disk is hot-added to a proxy for a restore (the VM must then stay off). */
export function restoreAttached(world: World, serverId: string): boolean {
  return [...world.hotAdds.values()].some((a) => a.application === "restore" && a.sourceServerId === serverId);
}

/** Refuses deleting a VM that a backup resource locks or whose disks are (or that has disks) hot-added. */
export function checkRemovable(world: World, server: SimServer): void {
  const lock = [...world.backupResources.values()].find((r) => r.server_id === server.id);
  if (lock) {
    throw new SimHttpError(409, `VM ${server.id} is locked by backup resource ${lock.id}`);
  }
  const attachment = [...world.hotAdds.values()].find((a) => a.sourceServerId === server.id || a.proxyId === server.id);
  if (attachment) {
    throw new SimHttpError(
      409,
      `disk ${attachment.sourceDiskId} of VM ${attachment.sourceServerId} is hot-added to proxy ${attachment.proxyId}; remove it first`,
    );
  }
}

/** Forgets what a VM deleted for good leaves: its snapshots, disk content and CBT state. */
export function forgetServer(world: World, serverId: string): void {
  for (const snapshot of [...world.snapshots.values()]) {
    if (snapshot.server_id === serverId) {
      world.snapshots.delete(snapshot.id);
    }
  }
  world.diskStore.drop(serverId);
  world.cbt.delete(serverId);
}
