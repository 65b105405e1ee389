import { z } from "zod";
import { compareVersions } from "../../version.js";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { checkRemovable, findIdleServer, forgetServer, restoreAttached } from "../guards.js";
import type { SimServer } from "../model.js";
import { markRunning, markStopped } from "../power.js";
import { readJson } from "../request-body.js";
import { noContentWithBody, ok, SimHttpError } from "../responses.js";
import type { EditableServerFields } from "../server-store.js";
import { startTask } from "../tasks.js";

/** The release that added `os_name` to the VM edit. */
const OS_NAME_MIN_VERSION = "6.11.3";
const positiveInt = z.number().int().min(1);
const forceBody = z.object({ force: z.union([z.literal(0), z.literal(1)]).optional() });
const updateBody = z.object({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  cores: positiveInt.optional(),
  sockets: positiveInt.optional(),
  memory_mb: positiveInt.optional(),
  os_type: z.string().min(1).optional(),
  os_name: z.string().optional(),
});

/** The VM of the path, refusing one that is being created or deleted. */
function idleServer(ctx: HandlerContext): SimServer {
  return findIdleServer(ctx.world, callerOf(ctx), ctx.params.server_id ?? "");
}

function exists(ctx: HandlerContext, server: SimServer): boolean {
  return ctx.world.servers.get(server.id) === server && !server.recycled;
}

/** `PUT /janus/20210725/servers/{server_id}`: the edit applies when its task ends. */
const updateServer: Handler = (ctx) => {
  const body = readJson(ctx, updateBody);
  const version = ctx.world.scpVersion();
  if (body.os_name !== undefined && compareVersions(version, OS_NAME_MIN_VERSION) < 0) {
    throw new SimHttpError(
      400,
      `os_name can be edited on SCP ${OS_NAME_MIN_VERSION} and later; this platform is ${version}`,
    );
  }
  const server = idleServer(ctx);
  const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as EditableServerFields;
  const task = startTask(ctx, {
    action: "edit_server",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      if (exists(ctx, server)) {
        ctx.world.servers.update(server, changes);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** `DELETE /janus/20180725/servers/{server_id}`: `force` 1 removes, otherwise to the recycle bin. 204 with a body. */
const deleteServer: Handler = (ctx) => {
  const { force } = readJson(ctx, forceBody, { optional: true });
  const server = idleServer(ctx);
  checkRemovable(ctx.world, server);
  const previous = server.status;
  server.status = "deleting";
  const task = startTask(ctx, {
    action: "delete_server",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      if (force === 1) {
        ctx.world.servers.delete(server.id);
        forgetServer(ctx.world, server.id);
      } else {
        markStopped(server);
        ctx.world.servers.recycle(server);
      }
    },
    onFailure: () => {
      // A power change may have finished meanwhile: the status follows the power, not the moment of the delete.
      server.status =
        previous === "running" || previous === "stopped"
          ? server.runningSinceMs === undefined
            ? "stopped"
            : "running"
          : previous;
    },
  });
  return noContentWithBody(ctx.envelope, { task_id: task.task_id });
};

/** `POST …/start` and `POST …/stop`. */
function power(action: "start" | "stop"): Handler {
  return (ctx) => {
    if (action === "stop") {
      readJson(ctx, forceBody, { optional: true });
    }
    const server = idleServer(ctx);
    if (action === "start" && restoreAttached(ctx.world, server.id)) {
      throw new SimHttpError(409, `a disk of VM ${server.id} is hot-added to a proxy for a restore; remove it first`);
    }
    const task = startTask(ctx, {
      action: `${action}_server`,
      object: { id: server.id, name: server.name, type: "server" },
      azId: server.az_id,
      onFinish: (atMs) => {
        if (!exists(ctx, server)) {
          return;
        }
        // A delete started meanwhile keeps the VM "deleting" whatever the power does.
        const deleting = server.status === "deleting";
        if (action === "stop") {
          markStopped(server);
        } else if (server.runningSinceMs === undefined) {
          markRunning(ctx.world, server, atMs);
        }
        if (deleting) {
          server.status = "deleting";
        }
      },
    });
    return ok(ctx.envelope, { task_id: task.task_id }, 201);
  };
}

/** Handlers of the VM changes. */
export const serverActionHandlers: Readonly<Record<string, Handler>> = {
  updateServer20210725: updateServer,
  deleteServer,
  startServer: power("start"),
  stopServer: power("stop"),
};
