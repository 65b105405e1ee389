import { z } from "zod";
import { compareVersions } from "../../version.js";
import type { SimBackupResource } from "../backup-model.js";
import {
  findResource,
  HOST_ID_MIN_VERSION,
  lockFor,
  placeResource,
  releaseResource,
  resourceOf,
  resourceView,
} from "../backup-resources.js";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { findIdleServer, requireAdmin, requireHci } from "../guards.js";
import type { SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { findServer } from "../server-lookup.js";
import { startTask } from "../tasks.js";

const lockTime = z.number().int().min(60).max(7200);
const createBody = z.object({
  server_id: z.string().min(1),
  type: z.enum(["backup", "restore"]),
  lock_time: lockTime,
  host_id: z.string().min(1).optional(),
});
const updateBody = z.object({ lock_time: lockTime });
/** SFVDDK versions and the release that first offered each. */
const SDK_VERSIONS = ["6.10.0", "6.11.1", "6.11.3"] as const;

function admin(ctx: HandlerContext, what: string): void {
  requireAdmin(callerOf(ctx), what);
}

/** True on releases that place resources on hosts and offer hotadd (6.11.3 and later). */
function hostPlacement(ctx: HandlerContext): boolean {
  return compareVersions(ctx.world.scpVersion(), HOST_ID_MIN_VERSION) >= 0;
}

/** The VM a new resource may lock: visible, idle, in an HCI pool, not locked, off for a restore. */
function lockableServer(ctx: HandlerContext, body: z.infer<typeof createBody>): SimServer {
  const { world } = ctx;
  if (body.host_id !== undefined && !hostPlacement(ctx)) {
    throw new SimHttpError(400, `host_id is accepted on SCP ${HOST_ID_MIN_VERSION} and later`);
  }
  const server = findIdleServer(world, callerOf(ctx), body.server_id);
  requireHci(server, "backup resources");
  const holder = resourceOf(world, server.id);
  if (holder) {
    throw new SimHttpError(409, `VM ${server.id} is locked by backup resource ${holder.id}; release it first`);
  }
  if (body.type === "restore" && server.runningSinceMs !== undefined) {
    throw new SimHttpError(400, `VM ${server.id} must be powered off for a restore`);
  }
  return server;
}

/** `POST /janus/20180725/backup-resources`: one per VM; `restore` needs the VM off. */
const createResource: Handler = (ctx) => {
  admin(ctx, "create backup resources");
  const body = readJson(ctx, createBody);
  const { world } = ctx;
  const server = lockableServer(ctx, body);
  const resource: SimBackupResource = {
    id: `${world.random.uuid()}:${world.random.uuid()}`,
    server_id: server.id,
    type: body.type,
    host_id: placeResource(world, server, body.host_id),
    status: "pending",
    lockUntilMs: ctx.nowMs,
  };
  world.backupResources.set(resource.id, resource);
  lockFor(world, resource, ctx.nowMs, body.lock_time);
  const task = startTask(ctx, {
    action: "create_backup_resource",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      if (resource.status === "pending") {
        resource.status = "running";
      }
    },
    // A resource whose creation failed holds no lock.
    onFailure: () => world.backupResources.delete(resource.id),
  });
  const placed = hostPlacement(ctx) ? { host_id: resource.host_id } : {};
  return ok(ctx.envelope, { task_id: task.task_id, resource_id: resource.id, ...placed });
};

/** `GET /janus/20180725/backup-resources/{backup_resources_id}`. */
const getResource: Handler = (ctx) => {
  admin(ctx, "read backup resources");
  const resource = findResource(ctx.world, ctx.params.backup_resources_id ?? "");
  return ok(ctx.envelope, resourceView(ctx.world, resource, ctx.nowMs));
};

/** `PUT /janus/20180725/backup-resources/{backup_resources_id}`: the lock runs `lock_time` from the task's end. */
const renewResource: Handler = (ctx) => {
  admin(ctx, "renew backup resources");
  const body = readJson(ctx, updateBody);
  const { world } = ctx;
  const resource = findResource(world, ctx.params.backup_resources_id ?? "");
  if (resource.status === "released") {
    throw new SimHttpError(409, `backup resource ${resource.id} is being released`);
  }
  const task = startTask(ctx, {
    action: "update_backup_resource",
    object: { id: resource.server_id, name: resource.id, type: "backup_resource" },
    azId: world.servers.get(resource.server_id)?.az_id ?? "",
    onFinish: (atMs) => {
      if (world.backupResources.get(resource.id) === resource) {
        lockFor(world, resource, atMs, body.lock_time);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** `DELETE /janus/20180725/backup-resources/{backup_resources_id}`: released at once, gone when the task ends. */
const deleteResource: Handler = (ctx) => {
  admin(ctx, "delete backup resources");
  const { world } = ctx;
  const resource = findResource(world, ctx.params.backup_resources_id ?? "");
  if (resource.status === "released") {
    throw new SimHttpError(409, `backup resource ${resource.id} is already being released`);
  }
  const previous = resource.status;
  resource.status = "released";
  const task = startTask(ctx, {
    action: "delete_backup_resource",
    object: { id: resource.server_id, name: resource.id, type: "backup_resource" },
    azId: world.servers.get(resource.server_id)?.az_id ?? "",
    onFinish: () => {
      if (world.backupResources.get(resource.id) === resource) {
        releaseResource(world, resource);
      }
    },
    onFailure: () => {
      resource.status = previous;
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** `GET /janus/20180725/backup-resources/supports?server_id=`: hotadd from 6.11.3 (our inference). */
const getSupports: Handler = (ctx) => {
  admin(ctx, "read backup resource support");
  const serverId = ctx.url.searchParams.get("server_id");
  if (!serverId) {
    throw new SimHttpError(400, "server_id is required");
  }
  const server = findServer(ctx.world, callerOf(ctx), serverId);
  requireHci(server, "backup resources");
  const version = ctx.world.scpVersion();
  const versions = SDK_VERSIONS.filter((v) => compareVersions(v, version) <= 0);
  const modes = hostPlacement(ctx) ? ["nbd", "nbd_ssl", "hotadd"] : ["nbd", "nbd_ssl"];
  return ok(ctx.envelope, { versions, transport_modes: modes });
};

/** Handlers of backup resources. */
export const backupResourceHandlers: Readonly<Record<string, Handler>> = {
  createBackupResource: createResource,
  getBackupResource: getResource,
  updateBackupResource: renewResource,
  deleteBackupResource: deleteResource,
  getBackupResourceSupports: getSupports,
};
