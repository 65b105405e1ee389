import type { BackupResource } from "../generated/schema.js";
import { compareVersions } from "../version.js";
import type { SimBackupResource } from "./backup-model.js";
import { expireCbt } from "./cbt.js";
import { generateSelfSignedCertificate } from "./certificate.js";
import type { SimServer } from "./model.js";
import { SimHttpError } from "./responses.js";
import type { World } from "./world.js";

/** The release that added host placement (`host_id`) to backup resources. */
export const HOST_ID_MIN_VERSION = "6.11.3";

/** The resource holding a VM's lock, if any. */
export function resourceOf(world: World, serverId: string): SimBackupResource | undefined {
  return [...world.backupResources.values()].find((r) => r.server_id === serverId);
}

/**
 * The host a new resource runs on: among the running hosts that reach the VM's disks (in the simulator, those of
 * its pool, whose datastore they share), the preferred one if it is there, else the one with the fewest resources.
 */
export function placeResource(world: World, server: SimServer, preferredHostId: string | undefined): string {
  const candidates = world.inventory.hosts.filter((h) => h.az_id === server.az_id && h.status === "running");
  if (candidates.length === 0) {
    throw new SimHttpError(400, `no running host reaches the disks of VM ${server.id}`);
  }
  if (preferredHostId !== undefined && candidates.some((h) => h.id === preferredHostId)) {
    return preferredHostId;
  }
  const load = (hostId: string) => [...world.backupResources.values()].filter((r) => r.host_id === hostId).length;
  return candidates.reduce((best, host) => (load(host.id) < load(best.id) ? host : best)).id;
}

/** Whole seconds left on the lock; below 0 once it ran out. */
export function remainTime(resource: SimBackupResource, nowMs: number): number {
  return Math.floor((resource.lockUntilMs - nowMs) / 1000);
}

/** Sets the lock to run out `lockTimeSec` after `atMs`; the platform deletes the resource once it has. */
export function lockFor(world: World, resource: SimBackupResource, atMs: number, lockTimeSec: number): void {
  resource.lockUntilMs = atMs + lockTimeSec * 1000;
  world.scheduler.at(resource.lockUntilMs + 1, (nowMs) => {
    // A renewal since moved the end: this event is stale.
    if (world.backupResources.get(resource.id) === resource && resource.lockUntilMs < nowMs) {
      releaseResource(world, resource);
    }
  });
}

/** Deletes a resource and frees the VM's lock; a restore leaves the VM's CBT expired (guide page 2653108). */
export function releaseResource(world: World, resource: SimBackupResource): void {
  world.backupResources.delete(resource.id);
  if (resource.type === "restore") {
    expireCbt(world, resource.server_id);
  }
}

/** The resource as its read shows it; `host_id` from 6.11.3 on. */
export function resourceView(world: World, resource: SimBackupResource, nowMs: number): BackupResource {
  const view: BackupResource = {
    server_id: resource.server_id,
    status: resource.status,
    remain_time: remainTime(resource, nowMs),
    ca_cert: caCert(world),
  };
  return compareVersions(world.scpVersion(), HOST_ID_MIN_VERSION) >= 0 ? { ...view, host_id: resource.host_id } : view;
}

/** The resource with this id; 404 when it does not exist (any more). */
export function findResource(world: World, id: string): SimBackupResource {
  const resource = world.backupResources.get(id);
  if (!resource) {
    throw new SimHttpError(404, `backup resource ${id} does not exist`);
  }
  return resource;
}

/** The HCI CA certificate as base64 DER, made once per simulator. */
function caCert(world: World): string {
  world.hciCaCert ??= generateSelfSignedCertificate({ commonName: "SANGFOR HCI" })
    .cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");
  return world.hciCaCert;
}
