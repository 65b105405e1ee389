import { z } from "zod";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { findIdleServer, requireAdmin } from "../guards.js";
import { attachmentsOf, checkProxy, planAttachments } from "../hotadd.js";
import type { SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { startTask } from "../tasks.js";

const attachBody = z.object({
  disks: z
    .array(
      z.object({
        server_id: z.string().min(1),
        disk_id: z.string().min(1),
        snapshot_id: z.string().min(1).optional(),
        application: z.enum(["backup", "restore"]),
      }),
    )
    .min(1),
});
const actionBody = z.object({ action: z.literal("remove"), disk_ids: z.array(z.string().min(1)).min(1) });

function proxyOf(ctx: HandlerContext, what: string): SimServer {
  requireAdmin(callerOf(ctx), what);
  return findIdleServer(ctx.world, callerOf(ctx), ctx.params.server_id ?? "");
}

/**
 * `POST /janus/20240725/servers/{server_id}/disks` (inferred): the disks are listed on the proxy at once and show
 * in its guest `hotAddDeviceDelayMs` (plus any device-delay fault) after the task ends; a failed task attaches none.
 */
const hotAddDisks: Handler = (ctx) => {
  const body = readJson(ctx, attachBody);
  const { world } = ctx;
  const proxy = proxyOf(ctx, "hot-add disks to backup proxies");
  checkProxy(proxy);
  const attachments = planAttachments(world, callerOf(ctx), proxy, body.disks);
  for (const attachment of attachments) {
    world.hotAdds.set(attachment.serial, attachment);
  }
  const task = startTask(ctx, {
    action: "create_server_disks",
    object: { id: proxy.id, name: proxy.name, type: "server" },
    azId: proxy.az_id,
    onFinish: (atMs) => {
      const delayMs = world.options.hotAddDeviceDelayMs + ctx.taskFaults().deviceDelayMs;
      for (const attachment of attachments) {
        attachment.visibleAtMs = atMs + delayMs;
      }
    },
    onFailure: () => {
      for (const attachment of attachments) {
        world.hotAdds.delete(attachment.serial);
      }
    },
  });
  const disks = attachments.map((a) => ({
    id: a.id,
    serial: a.serial,
    server_id: a.sourceServerId,
    disk_id: a.sourceDiskId,
    ...(a.sourceSnapshotId === undefined ? {} : { snapshot_id: a.sourceSnapshotId }),
  }));
  return ok(ctx.envelope, { task_id: task.task_id, disks });
};

/**
 * `POST /janus/20240725/servers/{server_id}/disks/action` (inferred): `remove` detaches hot-added disks when the
 * task ends (a linked clone is deleted with it; a real disk stays with its VM).
 */
const serverDisksAction: Handler = (ctx) => {
  const body = readJson(ctx, actionBody);
  const { world } = ctx;
  const proxy = proxyOf(ctx, "remove disks from backup proxies");
  const attached = attachmentsOf(world, proxy.id);
  const removing = [...new Set(body.disk_ids)].map((id) => {
    const attachment = attached.find((a) => a.id === id);
    if (attachment) {
      return attachment;
    }
    if (proxy.disks.some((d) => d.id === id)) {
      throw new SimHttpError(
        400,
        `disk ${id} of VM ${proxy.id} was not hot-added; this action removes hot-added disks only`,
      );
    }
    throw new SimHttpError(404, `VM ${proxy.id} has no disk ${id}`);
  });
  const task = startTask(ctx, {
    action: "remove_server_disks",
    object: { id: proxy.id, name: proxy.name, type: "server" },
    azId: proxy.az_id,
    onFinish: () => {
      for (const attachment of removing) {
        world.hotAdds.delete(attachment.serial);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** Handlers of the (inferred) hot-add disk calls. */
export const hotAddHandlers: Readonly<Record<string, Handler>> = {
  createServerDisks20240725: hotAddDisks,
  serverDisksAction20240725: serverDisksAction,
};
