import { z } from "zod";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { findIdleServer, requireAdmin, requireHci } from "../guards.js";
import type { SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok } from "../responses.js";
import { findServer } from "../server-lookup.js";
import {
  checkNewSnapshot,
  findSnapshot,
  removeSnapshot,
  snapshotDetail,
  snapshotListItem,
  snapshotsOf,
  snapshotType,
  takeSnapshot,
} from "../snapshots.js";
import { startTask } from "../tasks.js";

const createBody = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  snap_type: z.string().optional(),
});

/** The HCI VM of the path (visible to the caller). */
export function snapshotServer(ctx: HandlerContext, idle = false): SimServer {
  const id = ctx.params.server_id ?? "";
  const server = idle ? findIdleServer(ctx.world, callerOf(ctx), id) : findServer(ctx.world, callerOf(ctx), id);
  requireHci(server, "snapshots");
  return server;
}

/**
 * `POST /janus/20190725/servers/{server_id}/snapshots`: the content is frozen now (copy-on-write) and the CBT
 * checkpoint made now; the snapshot is usable once the task finishes, and a failed task leaves none.
 */
const createSnapshot: Handler = (ctx) => {
  const body = readJson(ctx, createBody);
  const server = snapshotServer(ctx, true);
  const type = snapshotType(body.snap_type);
  checkNewSnapshot(ctx.world, server, body.name, type);
  const spec = { name: body.name, description: body.description ?? "", type, atMs: ctx.nowMs };
  const snapshot = takeSnapshot(ctx.world, server, spec);
  const task = startTask(ctx, {
    action: "create_snapshot",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      snapshot.ready = true;
    },
    onFailure: () => removeSnapshot(ctx.world, server, snapshot),
  });
  return ok(ctx.envelope, { task_id: task.task_id, resource_id: snapshot.id }, 201);
};

/** `GET /janus/20210725/servers/{server_id}/snapshots`: a bare array, oldest first. */
const listSnapshots: Handler = (ctx) => {
  const server = snapshotServer(ctx);
  return ok(
    ctx.envelope,
    snapshotsOf(ctx.world, server.id).map((s) => snapshotListItem(server, s)),
  );
};

/** `GET /janus/20180725/servers/{server_id}/snapshots/{snapshot_id}` (administrators only). */
const getSnapshot: Handler = (ctx) => {
  requireAdmin(callerOf(ctx), "read a snapshot's detail");
  const server = snapshotServer(ctx);
  return ok(ctx.envelope, snapshotDetail(findSnapshot(ctx.world, server.id, ctx.params.snapshot_id ?? "")));
};

/** Handlers of snapshot creation and reads. */
export const snapshotHandlers: Readonly<Record<string, Handler>> = {
  createServerSnapshot2019: createSnapshot,
  getServerSnapshots2021: listSnapshots,
  getServerSnapshot: getSnapshot,
};
