import type { SnapshotDetail, SnapshotListItem, SnapshotType } from "../generated/schema.js";
import type { SimSnapshot } from "./backup-model.js";
import type { BlockDisk } from "./block-disk.js";
import { expireCbt, makeCheckpoint } from "./cbt.js";
import type { SimServer } from "./model.js";
import { SimHttpError } from "./responses.js";
import { vmConfig } from "./vm-config.js";
import type { World } from "./world.js";

/** Storage snapshots one VM may have (guide pages 2652645, 2652658). */
export const MAX_STORAGE_SNAPSHOTS = 48;
const SNAP_TYPES: Readonly<Record<string, SnapshotType>> = {
  vs: "VS",
  qcow2: "qcow2",
  external_qcow2: "external_qcow2",
};

/** The snapshot type a request's `snap_type` names (storage when absent); 400 for an unknown one. */
export function snapshotType(snapType: string | undefined): SnapshotType {
  const type = SNAP_TYPES[(snapType ?? "vs").toLowerCase()];
  if (!type) {
    throw new SimHttpError(400, `snap_type must be one of vs, qcow2, external_qcow2 (got ${snapType})`);
  }
  return type;
}

/** A VM's snapshots, oldest first. */
export function snapshotsOf(world: World, serverId: string): SimSnapshot[] {
  return [...world.snapshots.values()].filter((s) => s.server_id === serverId);
}

/** The snapshot of this VM with this id; 404 otherwise. */
export function findSnapshot(world: World, serverId: string, snapshotId: string): SimSnapshot {
  const snapshot = world.snapshots.get(snapshotId);
  if (!snapshot || snapshot.server_id !== serverId) {
    throw new SimHttpError(404, `snapshot ${snapshotId} of VM ${serverId} does not exist`);
  }
  return snapshot;
}

/** Refuses a snapshot the platform would not take: reserved name, too many, or mixed internal and external. */
export function checkNewSnapshot(world: World, server: SimServer, name: string, type: SnapshotType): void {
  if (name === "current") {
    throw new SimHttpError(400, 'the snapshot name "current" is reserved');
  }
  const existing = snapshotsOf(world, server.id);
  if (type === "VS" && existing.filter((s) => s.type === "VS").length >= MAX_STORAGE_SNAPSHOTS) {
    throw new SimHttpError(400, `VM ${server.id} already has ${MAX_STORAGE_SNAPSHOTS} storage snapshots`);
  }
  const external = existing.some((s) => s.type === "external_qcow2");
  const other = existing.some((s) => s.type !== "external_qcow2");
  if ((type === "external_qcow2" && other) || (type !== "external_qcow2" && external)) {
    throw new SimHttpError(
      400,
      `VM ${server.id}: external (disk) snapshots cannot coexist with internal or storage snapshots`,
    );
  }
}

/** Freezes a VM's disks (sharing block buffers), makes its CBT checkpoint and records the snapshot. */
export function takeSnapshot(
  world: World,
  server: SimServer,
  spec: { name: string; description: string; type: SnapshotType; atMs: number },
): SimSnapshot {
  const disks = new Map<string, BlockDisk>();
  for (const [id, disk] of world.diskStore.all(server)) {
    disks.set(id, disk.copy());
  }
  const snapshot: SimSnapshot = {
    id: world.random.uuid(),
    server_id: server.id,
    name: spec.name,
    description: spec.description,
    created_at: new Date(spec.atMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    type: spec.type,
    parent_id: server.latestSnapshotId ?? "",
    // Quiescing needs a running guest with vmtools; otherwise the platform silently takes a plain snapshot.
    quiesced: server.runningSinceMs !== undefined && server.vtool_installed === 1 ? 1 : 0,
    checkpoint: makeCheckpoint(world, server.id),
    vmconf: vmConfig(server),
    disks,
    ready: false,
    deleting: false,
  };
  world.snapshots.set(snapshot.id, snapshot);
  server.latestSnapshotId = snapshot.id;
  return snapshot;
}

/** Puts a snapshot's content back on the VM's live disks; its CBT expires. */
export function revertTo(world: World, server: SimServer, snapshot: SimSnapshot): void {
  for (const [id, frozen] of snapshot.disks) {
    world.diskStore.live(server, id)?.assign(frozen);
  }
  server.latestSnapshotId = snapshot.id;
  expireCbt(world, server.id);
}

/** Forgets a snapshot. */
export function removeSnapshot(world: World, server: SimServer | undefined, snapshot: SimSnapshot): void {
  world.snapshots.delete(snapshot.id);
  if (server?.latestSnapshotId === snapshot.id) {
    server.latestSnapshotId = snapshot.parent_id === "" ? undefined : snapshot.parent_id;
  }
}

/** A snapshot as the list shows it. */
export function snapshotListItem(server: SimServer, snapshot: SimSnapshot): SnapshotListItem {
  return {
    id: snapshot.id,
    name: snapshot.name,
    description: snapshot.description,
    created_at: snapshot.created_at,
    status: snapshot.ready ? "normal" : "creating",
    type: snapshot.type,
    is_latest: server.latestSnapshotId === snapshot.id ? 1 : 0,
    is_protected: 0,
    parent_id: snapshot.parent_id,
    quiesced: snapshot.quiesced,
    disks: [...snapshot.disks.values()].map((disk, i) => ({
      id: `vm-disk-${i + 1}.qcow2`,
      size: disk.allocatedBlocks().length * disk.blockSize,
      type: snapshot.type === "VS" ? "vs" : "qcow2",
    })),
  };
}

/** A snapshot as its detail shows it. */
export function snapshotDetail(snapshot: SimSnapshot): SnapshotDetail {
  return {
    id: snapshot.id,
    name: snapshot.name,
    description: snapshot.description,
    created_at: snapshot.created_at,
    type: snapshot.type,
    is_protected: false,
    checkpoint_id: String(snapshot.checkpoint),
    vmconf: structuredClone(snapshot.vmconf),
  };
}
