import { z } from "zod";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import type { Caller, SimImage, SimServer } from "../model.js";
import { markRunning, markStopped } from "../power.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { buildServer } from "../server-records.js";
import { startTask } from "../tasks.js";
import { scpTime } from "../time.js";

const MAX_COUNT = 50;
const int01 = z.union([z.literal(0), z.literal(1)]);
const positiveInt = z.number().int().min(1);

const createBody = z.object({
  az_id: z.string().min(1),
  image_id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  cores: positiveInt,
  sockets: positiveInt,
  memory_mb: positiveInt,
  disks: z
    .array(
      z.object({
        id: z.string().min(1),
        size_mb: positiveInt,
        type: z.string().optional(),
        preallocate: z.string().optional(),
      }),
    )
    .min(1),
  networks: z.array(
    z.object({
      vif_id: z.string().min(1),
      connect: int01,
      model: z.string().optional(),
      mac_address: z.string().optional(),
      vpc_id: z.string().optional(),
      subnet_id: z.string().optional(),
    }),
  ),
  storage_tag_id: z.string().optional(),
  count: positiveInt.max(MAX_COUNT).optional(),
  power_on: int01.optional(),
  project_id: z.string().optional(),
  derive_mode: z.enum(["full", "fast"]).optional(),
});
type CreateBody = z.infer<typeof createBody>;

/** `POST /janus/20220725/servers`: VMs appear at once as `creating`; the task makes them stopped or running. */
const createServer: Handler = (ctx) => {
  const body = readJson(ctx, createBody);
  const caller = callerOf(ctx);
  const { world } = ctx;
  const image = checkPlacement(ctx, body, caller);
  const projectId = checkProject(ctx, body.project_id, caller);
  const servers = newServers(ctx, body, image, projectId);
  for (const server of servers) {
    world.servers.add(server);
  }
  const first = servers[0];
  const task = startTask(ctx, {
    action: "create_server",
    object: { id: first?.id ?? "", name: first?.name ?? "", type: "server" },
    azId: body.az_id,
    onFinish: (atMs) => {
      for (const server of servers.filter((s) => world.servers.get(s.id) === s)) {
        if (body.power_on === 1) {
          markRunning(world, server, atMs);
        } else {
          markStopped(server);
        }
      }
    },
    // A failed creation leaves nothing behind.
    onFailure: () => {
      for (const server of servers) {
        world.servers.delete(server.id);
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id, uuids: servers.map((s) => s.id) }, 201);
};

function newServers(ctx: HandlerContext, body: CreateBody, image: SimImage, projectId: string): SimServer[] {
  const { world } = ctx;
  const count = body.count ?? 1;
  const storageTag = body.storage_tag_id ?? world.inventory.storageTags.find((t) => t.az_id === body.az_id)?.id ?? "";
  return Array.from({ length: count }, (_, i) =>
    buildServer(world, {
      name: count === 1 ? body.name : `${body.name}-${i + 1}`,
      description: body.description ?? "",
      status: "creating",
      az_id: body.az_id,
      project_id: projectId,
      user_id: callerOf(ctx).userId,
      cores: body.cores,
      sockets: body.sockets,
      memory_mb: body.memory_mb,
      os_type: image.os_type,
      os_name: "",
      image_id: image.id,
      storage_tag_id: storageTag,
      vtool_installed: 0,
      vmtoolsCapable: image.is_vmtools_installed === 1,
      created_at: scpTime(ctx.nowMs),
      disks: body.disks,
      networks: body.networks,
    }),
  );
}

function checkPlacement(ctx: HandlerContext, body: CreateBody, caller: Caller): SimImage {
  const { inventory, images } = ctx.world;
  if (!inventory.azs.some((az) => az.id === body.az_id)) {
    throw new SimHttpError(400, `resource pool ${body.az_id} does not exist`);
  }
  const image = images.get(body.image_id);
  const usable =
    image && (caller.roleType === "admin" || image.image_type === "public" || image.owner_id === caller.projectId);
  if (!image || !usable) {
    throw new SimHttpError(400, `image ${body.image_id} does not exist`);
  }
  if (image.status !== "active") {
    throw new SimHttpError(400, `image ${image.id} is not active (status ${image.status})`);
  }
  if (!image.azs.some((az) => az.id === body.az_id && Number(az.is_available) === 1)) {
    throw new SimHttpError(400, `image ${image.id} is not available in resource pool ${body.az_id}`);
  }
  if (
    body.storage_tag_id &&
    !inventory.storageTags.some((t) => t.id === body.storage_tag_id && t.az_id === body.az_id)
  ) {
    throw new SimHttpError(400, `storage tag ${body.storage_tag_id} does not belong to resource pool ${body.az_id}`);
  }
  for (const [i, nic] of body.networks.entries()) {
    const net = inventory.networks.find((n) => n.az_id === body.az_id && (n.vpc_id === nic.vpc_id || !nic.vpc_id));
    if ((nic.vpc_id || nic.subnet_id) && (!net || (nic.subnet_id && net.subnet_id !== nic.subnet_id))) {
      throw new SimHttpError(400, `networks[${i}]: the VPC or subnet is not in resource pool ${body.az_id}`);
    }
  }
  return image;
}

function checkProject(ctx: HandlerContext, projectId: string | undefined, caller: Caller): string {
  if (projectId === undefined) {
    return caller.projectId;
  }
  const known = ctx.world.inventory.projects.some((p) => p.id === projectId);
  if (!known || (caller.roleType !== "admin" && projectId !== caller.projectId)) {
    throw new SimHttpError(400, `project ${projectId} does not exist`);
  }
  return projectId;
}

/** Handler of VM creation. */
export const serverCreateHandlers: Readonly<Record<string, Handler>> = {
  createServer20220725: createServer,
};
