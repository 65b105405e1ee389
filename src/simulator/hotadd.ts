import type { HotAddApplication, ServerConfigDisk, ServerDisk } from "../generated/schema.js";
import type { HotAddAttachment } from "./backup-model.js";
import type { BlockDisk } from "./block-disk.js";
import type { Caller, SimServer } from "./model.js";
import { SimHttpError } from "./responses.js";
import { findServer } from "./server-lookup.js";
import { findSnapshot } from "./snapshots.js";
import type { World } from "./world.js";

/** The os_name that marks a backup proxy (guide page 2653147). */
export const BACKUP_PROXY_OS_NAME = "Backup Proxy";
/** virtio slots of a VM (virtio0 to virtio15), its own disks included. */
export const VIRTIO_SLOTS = 16;

/** One disk a hot-add request names. */
export interface HotAddRequest {
  readonly server_id: string;
  readonly disk_id: string;
  readonly snapshot_id?: string | undefined;
  readonly application: HotAddApplication;
}

/** The disks hot-added to a proxy, in the order they were attached. */
export function attachmentsOf(world: World, proxyId: string): HotAddAttachment[] {
  return [...world.hotAdds.values()].filter((a) => a.proxyId === proxyId);
}

/** Refuses a VM that cannot take hot-added disks: it must be a running Backup Proxy. */
export function checkProxy(proxy: SimServer): void {
  if (proxy.os_name !== BACKUP_PROXY_OS_NAME) {
    throw new SimHttpError(400, `VM ${proxy.id} is not a backup proxy (its os_name is not "${BACKUP_PROXY_OS_NAME}")`);
  }
  if (proxy.runningSinceMs === undefined) {
    throw new SimHttpError(409, `backup proxy ${proxy.id} is not running; start it before hot-adding disks`);
  }
}

/** Checks every requested disk and makes the attachments (not yet visible to the guest); nothing is recorded. */
export function planAttachments(
  world: World,
  caller: Caller,
  proxy: SimServer,
  requests: readonly HotAddRequest[],
): HotAddAttachment[] {
  const planned: HotAddAttachment[] = [];
  const slots = freeSlots(world, proxy);
  for (const [i, request] of requests.entries()) {
    const source = findServer(world, caller, request.server_id);
    if (source.id === proxy.id) {
      throw new SimHttpError(400, `disks[${i}]: a proxy cannot hot-add its own disks`);
    }
    if (source.az_id !== proxy.az_id) {
      throw new SimHttpError(
        400,
        `disks[${i}]: VM ${source.id} is in resource pool ${source.az_id} but proxy ${proxy.id} is in ${proxy.az_id}; a proxy hot-adds disks of its own pool only`,
      );
    }
    const { disk, sizeMb } = sourceDisk(world, source, request, i, planned);
    const id = slots.shift();
    if (id === undefined) {
      throw new SimHttpError(409, `backup proxy ${proxy.id} has no free virtio slot (${VIRTIO_SLOTS} at most)`);
    }
    planned.push({
      proxyId: proxy.id,
      id,
      serial: uniqueSerial(world, planned),
      application: request.application,
      sourceServerId: source.id,
      sourceDiskId: request.disk_id,
      sourceSnapshotId: request.application === "backup" ? request.snapshot_id : undefined,
      disk,
      sizeMb,
      visibleAtMs: undefined,
    });
  }
  return planned;
}

/** What a request attaches: a linked clone of a snapshot's disk (backup) or the VM's real disk (restore). */
function sourceDisk(
  world: World,
  source: SimServer,
  request: HotAddRequest,
  index: number,
  planned: readonly HotAddAttachment[],
): { disk: BlockDisk; sizeMb: number } {
  const sizeMb = source.disks.find((d) => d.id === request.disk_id)?.size_mb ?? 0;
  if (request.application === "backup") {
    if (request.snapshot_id === undefined) {
      throw new SimHttpError(400, `disks[${index}]: a backup hot-add needs the snapshot_id of the snapshot to clone`);
    }
    const snapshot = findSnapshot(world, source.id, request.snapshot_id);
    if (!snapshot.ready || snapshot.deleting) {
      throw new SimHttpError(409, `disks[${index}]: snapshot ${snapshot.id} is being taken or deleted`);
    }
    const frozen = snapshot.disks.get(request.disk_id);
    if (!frozen) {
      throw new SimHttpError(404, `disks[${index}]: snapshot ${snapshot.id} has no disk ${request.disk_id}`);
    }
    return { disk: frozen.copy(), sizeMb: frozen.sizeBytes / (1024 * 1024) };
  }
  if (request.snapshot_id !== undefined) {
    throw new SimHttpError(400, `disks[${index}]: a restore hot-add attaches the real disk; send no snapshot_id`);
  }
  if (source.runningSinceMs !== undefined || source.status !== "stopped") {
    throw new SimHttpError(400, `disks[${index}]: VM ${source.id} must be powered off for a restore hot-add`);
  }
  const live = world.diskStore.live(source, request.disk_id);
  if (!live) {
    throw new SimHttpError(404, `disks[${index}]: VM ${source.id} has no disk ${request.disk_id}`);
  }
  const taken = [...world.hotAdds.values(), ...planned].find((a) => a.disk === live);
  if (taken) {
    throw new SimHttpError(409, `disks[${index}]: disk ${request.disk_id} of VM ${source.id} is already hot-added`);
  }
  return { disk: live, sizeMb };
}

function freeSlots(world: World, proxy: SimServer): string[] {
  const used = new Set([...proxy.disks.map((d) => d.id), ...attachmentsOf(world, proxy.id).map((a) => a.id)]);
  return Array.from({ length: VIRTIO_SLOTS }, (_, n) => `virtio${n}`).filter((id) => !used.has(id));
}

function uniqueSerial(world: World, planned: readonly HotAddAttachment[]): string {
  for (;;) {
    const serial = world.random.hex(20);
    if (!world.hotAdds.has(serial) && !planned.some((a) => a.serial === serial)) {
      return serial;
    }
  }
}

/** The hot-added disks of a proxy as plain disks (what its list item shows). */
export function hotAddedDisks(
  world: World,
  proxy: SimServer,
): Required<Pick<ServerDisk, "id" | "type" | "size_mb" | "storage_id">>[] {
  return attachmentsOf(world, proxy.id).map((a) => ({
    id: a.id,
    type: a.application === "backup" ? "derive_disk" : "exist_disk",
    size_mb: a.sizeMb,
    storage_id: world.servers.get(a.sourceServerId)?.storage_id ?? "",
  }));
}

/** The hot-added disks of a proxy as its configuration lists them, with their source. */
export function hotAddedDiskViews(world: World, proxy: SimServer): ServerConfigDisk[] {
  const plain = hotAddedDisks(world, proxy);
  return attachmentsOf(world, proxy.id).map((a, i) => ({
    ...plain[i],
    serial: a.serial,
    hotadd: 1,
    source_server_id: a.sourceServerId,
    source_disk_id: a.sourceDiskId,
    ...(a.sourceSnapshotId === undefined ? {} : { source_snapshot_id: a.sourceSnapshotId }),
    application: a.application,
  }));
}
