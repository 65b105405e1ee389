import { z } from "zod";
import type { SimSnapshot } from "../backup-model.js";
import type { Handler, HandlerContext } from "../context.js";
import { restoreAttached } from "../guards.js";
import type { SimServer } from "../model.js";
import { markRunning, markStopped } from "../power.js";
import { readJson } from "../request-body.js";
import { noContentWithBody, ok, SimHttpError } from "../responses.js";
import { checkNewSnapshot, findSnapshot, removeSnapshot, revertTo, takeSnapshot } from "../snapshots.js";
import { startTask } from "../tasks.js";
import type { World } from "../world.js";
import { snapshotServer } from "./snapshots.js";

const int01 = z.union([z.literal(0), z.literal(1)]);
const batchBody = z.object({ action: z.literal("delete"), snapshot_ids: z.array(z.string().min(1)).min(1) });
const recoveryBody = z.object({ backup: int01, power_on: int01.optional() });

/** Refuses deleting a snapshot that is already going, or whose linked clone is still hot-added to a proxy. */
function checkDeletable(world: World, snapshots: readonly SimSnapshot[]): void {
  for (const snapshot of snapshots) {
    if (snapshot.deleting) {
      throw new SimHttpError(409, `snapshot ${snapshot.id} is already being deleted`);
    }
    const clone = [...world.hotAdds.values()].find((a) => a.sourceSnapshotId === snapshot.id);
    if (clone) {
      throw new SimHttpError(
        409,
        `snapshot ${snapshot.id} has a linked clone hot-added to proxy ${clone.proxyId} (disk ${clone.id}); remove it first`,
      );
    }
  }
}

/** Deletes snapshots when a task ends; they stay (usable) if it fails. */
function startDeletion(ctx: HandlerContext, server: SimServer, snapshots: readonly SimSnapshot[]): string {
  for (const snapshot of snapshots) {
    snapshot.deleting = true;
  }
  return startTask(ctx, {
    action: "delete_snapshot",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      for (const snapshot of snapshots) {
        removeSnapshot(ctx.world, ctx.world.servers.get(server.id), snapshot);
      }
    },
    onFailure: () => {
      for (const snapshot of snapshots) {
        snapshot.deleting = false;
      }
    },
  }).task_id;
}

/** `DELETE /janus/20180725/servers/{server_id}/snapshots/{snapshot_id}`: 204 with a body, as documented. */
const deleteSnapshot: Handler = (ctx) => {
  const server = snapshotServer(ctx, true);
  const snapshot = findSnapshot(ctx.world, server.id, ctx.params.snapshot_id ?? "");
  checkDeletable(ctx.world, [snapshot]);
  return noContentWithBody(ctx.envelope, { task_id: startDeletion(ctx, server, [snapshot]) });
};

/** `POST /janus/20180725/servers/{server_id}/snapshots/action`: all named snapshots, or none. */
const batchDeleteSnapshots: Handler = (ctx) => {
  const body = readJson(ctx, batchBody);
  const server = snapshotServer(ctx, true);
  const snapshots = [...new Set(body.snapshot_ids)].map((id) => findSnapshot(ctx.world, server.id, id));
  checkDeletable(ctx.world, snapshots);
  return ok(ctx.envelope, { task_id: startDeletion(ctx, server, snapshots) }, 201);
};

/**
 * `POST …/snapshots/{snapshot_id}/recovery`: when the task ends the live disks take the snapshot's content, the
 * VM is off (on with `power_on` 1) and its CBT has expired. `backup` 1 snapshots the current state first.
 */
const recoverSnapshot: Handler = (ctx) => {
  const body = readJson(ctx, recoveryBody);
  const { world } = ctx;
  const server = snapshotServer(ctx, true);
  const snapshot = findSnapshot(world, server.id, ctx.params.snapshot_id ?? "");
  if (!snapshot.ready || snapshot.deleting) {
    throw new SimHttpError(409, `snapshot ${snapshot.id} is being taken or deleted`);
  }
  if (restoreAttached(world, server.id)) {
    throw new SimHttpError(409, `a disk of VM ${server.id} is hot-added to a proxy for a restore; remove it first`);
  }
  const backupName = `before-recovery-${ctx.nowMs}`;
  if (body.backup === 1) {
    checkNewSnapshot(world, server, backupName, snapshot.type);
  }
  const task = startTask(ctx, {
    action: "recover_snapshot",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: (atMs) => {
      if (world.servers.get(server.id) !== server || !world.snapshots.has(snapshot.id)) {
        return;
      }
      if (body.backup === 1) {
        takeSnapshot(world, server, { name: backupName, description: "", type: snapshot.type, atMs }).ready = true;
      }
      revertTo(world, server, snapshot);
      if (body.power_on !== 1) {
        markStopped(server);
      } else if (server.runningSinceMs === undefined) {
        markRunning(world, server, atMs);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id }, 201);
};

/** Handlers of snapshot deletion and revert. */
export const snapshotActionHandlers: Readonly<Record<string, Handler>> = {
  deleteSnapshot,
  batchDeleteSnapshots,
  recoverSnapshot,
};
