import { z } from "zod";
import { callerOf, type Handler } from "../context.js";
import { checkPools } from "../image-views.js";
import type { Caller, SimImage, SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { BYTES_PER_MIB } from "../seed-world.js";
import { findServer } from "../server-lookup.js";
import { startTask } from "../tasks.js";
import type { World } from "../world.js";

const body = z.object({
  server_id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  os_type: z.string().min(1),
  azs: z.array(z.string()).min(1),
});

/**
 * `POST /janus/20180725/images/action`: a private VMA image of a stopped VM with vmtools. The answer has only a
 * task; the record exists at once (status `saving`, findable by name) and the task's `object_id` is its id.
 * It is owned by the caller's project. Its bytes are generated: `vmaSizeBytes`, derived from seed and id.
 */
const createImageFromServer: Handler = (ctx) => {
  const request = readJson(ctx, body);
  const caller = callerOf(ctx);
  const { world } = ctx;
  const server = findServer(world, caller, request.server_id);
  if (server.status !== "stopped" || server.runningSinceMs !== undefined) {
    throw new SimHttpError(400, `VM ${server.id} is ${server.status}; shut it down before making an image of it`);
  }
  if (server.vtool_installed !== 1) {
    throw new SimHttpError(400, `vmtools is not installed in VM ${server.id}; install it before making an image`);
  }
  checkPools(world, request.azs);
  const sizeBytes = world.options.vmaSizeBytes;
  const sizeMb = Math.ceil(sizeBytes / BYTES_PER_MIB);
  const image = vmaRecord(world, request, caller, server);
  world.images.set(image.id, image);
  const task = startTask(ctx, {
    action: "create_image_from_server",
    object: { id: image.id, name: image.name, type: "image" },
    azId: server.az_id,
    subTaskAzIds: image.azs.map((az) => az.id),
    onFinish: () => {
      Object.assign(image, { status: "active", size_mb: sizeMb, content: { kind: "generated", sizeBytes } });
      for (const az of image.azs) {
        az.is_available = 1;
      }
    },
    onFailure: (_atMs, reason) => {
      Object.assign(image, { status: "error", message: reason });
    },
  });
  image.task_id = task.task_id;
  return ok(ctx.envelope, { task_id: task.task_id }, 201);
};

function vmaRecord(world: World, request: z.infer<typeof body>, caller: Caller, server: SimServer): SimImage {
  return {
    id: world.random.uuid(),
    name: request.name,
    description: request.description ?? "",
    sourceServerId: server.id,
    status: "saving",
    image_type: "private",
    visibility: "private",
    disk_format: "aCloud",
    os_type: request.os_type,
    owner_id: caller.projectId,
    size_mb: 0,
    virtual_size_mb: server.disks.reduce((sum, d) => sum + (d.size_mb ?? 0), 0),
    is_vmtools_installed: 1,
    message: "",
    task_id: "",
    azs: [...new Set(request.azs)].map((id) => ({ id, arch_type: "hci_x86", is_available: 0 })),
    content: undefined,
    exported: false,
  };
}

/** Handler of image creation from a VM. */
export const imageFromServerHandlers: Readonly<Record<string, Handler>> = { createImageFromServer };
