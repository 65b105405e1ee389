import { z } from "zod";
import { changedBlocks, setCbt, vmCbt } from "../cbt.js";
import { areasPage } from "../changed-areas.js";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { findIdleServer, requireAdmin, requireHci } from "../guards.js";
import type { SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { findServer } from "../server-lookup.js";
import { findSnapshot } from "../snapshots.js";
import { startTask } from "../tasks.js";

const updateBody = z.object({
  type: z.enum(["enable", "disable", "reset"]),
  disk_ids: z.array(z.string().min(1)).optional(),
});

/** The HCI VM of the path, for an administrator. */
function cbtServer(ctx: HandlerContext, what: string, idle = false): SimServer {
  const caller = callerOf(ctx);
  requireAdmin(caller, what);
  const id = ctx.params.server_id ?? "";
  const server = idle ? findIdleServer(ctx.world, caller, id) : findServer(ctx.world, caller, id);
  requireHci(server, "changed block tracking");
  return server;
}

/** `GET /janus/20180725/servers/{server_id}/cbt/status`. */
const getCbtInfo: Handler = (ctx) => {
  const server = cbtServer(ctx, "read CBT");
  const vm = vmCbt(ctx.world, server.id);
  const disks = server.disks.map((d) => ({ id: d.id ?? "", is_enabled: vm.disks.get(d.id ?? "")?.enabled ?? false }));
  return ok(ctx.envelope, { server_id: server.id, is_enabled: disks.some((d) => d.is_enabled), disks });
};

/** `PUT /janus/20180725/servers/{server_id}/cbt/status`: applies when its task ends. */
const updateCbtStatus: Handler = (ctx) => {
  const body = readJson(ctx, updateBody);
  const server = cbtServer(ctx, "change CBT", true);
  const unknown = body.disk_ids?.find((id) => !server.disks.some((d) => d.id === id));
  if (unknown !== undefined) {
    throw new SimHttpError(400, `VM ${server.id} has no disk ${unknown}`);
  }
  // Reset works on the disks that have CBT on; disk_ids is not used by it.
  const diskIds = body.type === "reset" ? undefined : body.disk_ids;
  const task = startTask(ctx, {
    action: `${body.type}_cbt`,
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      if (ctx.world.servers.get(server.id) === server) {
        setCbt(ctx.world, server, body.type, diskIds);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/**
 * `GET /janus/20180725/servers/{server_id}/cbt/changed-areas`: one window of the disk per answer (at most
 * `cbtWindowBytes`, `cbtMaxAreasPerAnswer` areas), in bytes; windows without change answer no areas.
 */
const getChangedAreas: Handler = (ctx) => {
  const server = cbtServer(ctx, "read changed areas");
  const q = ctx.url.searchParams;
  const diskId = requiredParam(q, "disk_id");
  const snapshot = findSnapshot(ctx.world, server.id, requiredParam(q, "snapshot_id"));
  const checkpoint = integerParam(q, "checkpoint_id");
  const startOffset = integerParam(q, "start_offset");
  if (!snapshot.ready) {
    throw new SimHttpError(400, `snapshot ${snapshot.id} is still being taken`);
  }
  const disk = snapshot.disks.get(diskId);
  if (!disk) {
    throw new SimHttpError(400, `snapshot ${snapshot.id} has no disk ${diskId}`);
  }
  if (startOffset >= disk.sizeBytes) {
    throw new SimHttpError(400, `start_offset must be smaller than the disk's size (${disk.sizeBytes} bytes)`);
  }
  const blocks = changedBlocks(ctx.world, snapshot, diskId, checkpoint);
  const { options } = ctx.world;
  const cut = ctx.answerFaults();
  const limits = {
    windowBytes: Math.min(options.cbtWindowBytes, cut.maxLength ?? Number.POSITIVE_INFINITY),
    maxAreas: Math.min(options.cbtMaxAreasPerAnswer, cut.maxAreas ?? Number.POSITIVE_INFINITY),
  };
  return ok(ctx.envelope, areasPage(blocks, disk, startOffset, limits));
};

function requiredParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === "") {
    throw new SimHttpError(400, `${name} is required`);
  }
  return value;
}

function integerParam(query: URLSearchParams, name: string): number {
  const value = requiredParam(query, name);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new SimHttpError(400, `${name} must be a whole number >= 0`);
  }
  return Number(value);
}

/** Handlers of changed block tracking. */
export const cbtHandlers: Readonly<Record<string, Handler>> = {
  getServerCBTInfo: getCbtInfo,
  updateServerCBTStatus: updateCbtStatus,
  getServerCBTChangedAreas: getChangedAreas,
};
