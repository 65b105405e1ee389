import { z } from "zod";
import { callerOf, type Handler } from "../context.js";
import { requireAdmin } from "../guards.js";
import type { SimServer } from "../model.js";
import { markStopped } from "../power.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { buildServer, datastoreOf } from "../server-records.js";
import { startTask } from "../tasks.js";
import { scpTime } from "../time.js";
import { osTypeOf } from "../vm-config.js";
import type { World } from "../world.js";

const int01 = z.union([z.literal(0), z.literal(1)]);
const flag = z.union([z.boolean(), int01]);
const body = z.object({
  az_id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  datastore_id: z.string().min(1),
  application: z.string().optional(),
  os_option: z.object({ kernel_name: z.string().optional(), distribution_name: z.string().optional() }).loose(),
  hardware_option: z
    .object({
      cpu: z.object({ cores: z.number().int().min(1).optional(), sockets: z.number().int().min(1).optional() }).loose(),
      memory: z
        .object({ size_gb: z.number().positive().optional(), size_mb: z.number().int().min(1).optional() })
        .loose(),
      disks: z
        .array(z.object({ id: z.union([z.string().min(1), z.number()]), size_mb: z.number().int().min(1) }).loose())
        .min(1),
      network_adapters: z.array(
        z.object({ vif_id: z.string().min(1), mac_address: z.string().optional(), connected: flag.optional() }).loose(),
      ),
    })
    .partial({ cpu: true, memory: true, network_adapters: true })
    .loose(),
  advanced_option: z
    .object({ turbo_mode_enabled: flag.optional(), vmtools_install_state: z.string().optional() })
    .loose()
    .optional(),
});
type Body = z.infer<typeof body>;

/**
 * `POST /janus/20180725/servers/config`: a powered-off VM from a backed-up configuration (a snapshot's vmconf),
 * with empty disks of the sizes given, ready for a restore. Administrators only.
 */
const createServerFromConfig: Handler = (ctx) => {
  requireAdmin(callerOf(ctx), "create VMs from a configuration");
  const request = readJson(ctx, body);
  const { world } = ctx;
  if (!world.inventory.azs.some((az) => az.id === request.az_id && az.type === "hci")) {
    throw new SimHttpError(400, `resource pool ${request.az_id} does not exist or is not an HCI pool`);
  }
  if (request.datastore_id !== datastoreOf(request.az_id)) {
    throw new SimHttpError(400, `datastore ${request.datastore_id} is not in resource pool ${request.az_id}`);
  }
  const server = newServer(ctx.nowMs, world, request, callerOf(ctx));
  world.servers.add(server);
  const task = startTask(ctx, {
    action: "create_server_from_config",
    object: { id: server.id, name: server.name, type: "server" },
    azId: server.az_id,
    onFinish: () => {
      if (world.servers.get(server.id) === server) {
        markStopped(server);
      }
    },
    onFailure: () => world.servers.delete(server.id),
  });
  return ok(ctx.envelope, { task_id: task.task_id, uuid: server.id });
};

function newServer(
  nowMs: number,
  world: World,
  request: Body,
  caller: { userId: string; projectId: string },
): SimServer {
  const hw = request.hardware_option;
  const memoryMb = hw.memory?.size_mb ?? Math.round((hw.memory?.size_gb ?? 1) * 1024);
  const vmtools = request.advanced_option?.vmtools_install_state === "INSTALLED";
  return buildServer(world, {
    name: request.name,
    description: request.description ?? "",
    status: "creating",
    az_id: request.az_id,
    project_id: caller.projectId,
    user_id: caller.userId,
    cores: hw.cpu?.cores ?? 1,
    sockets: hw.cpu?.sockets ?? 1,
    memory_mb: memoryMb,
    os_type: osTypeOf(request.os_option),
    os_name: "",
    image_id: "",
    storage_tag_id: world.inventory.storageTags.find((t) => t.az_id === request.az_id)?.id ?? "",
    vtool_installed: 0,
    vmtoolsCapable: vmtools,
    created_at: scpTime(nowMs),
    disks: hw.disks.map((d) => ({ id: String(d.id), size_mb: d.size_mb, type: "new_disk" })),
    networks: (hw.network_adapters ?? []).map((n) => ({
      vif_id: n.vif_id,
      connect: n.connected === false || n.connected === 0 ? 0 : 1,
      ...(n.mac_address ? { mac_address: n.mac_address } : {}),
    })),
    kind: {
      application: request.application ?? "",
      turbo_mode_enabled: request.advanced_option?.turbo_mode_enabled ? 1 : 0,
    },
  });
}

/** Handler of VM creation from a backed-up configuration. */
export const serverFromConfigHandlers: Readonly<Record<string, Handler>> = { createServerFromConfig };
