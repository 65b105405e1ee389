import { z } from "zod";
import type { CreateServerFromConfigRequest } from "../generated/schema.js";
import { CreateServerFromConfigResultGate, gate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput } from "../validate.js";
import type { System } from "./platform.js";
import type { RequestOptions, TaskRef } from "./request-options.js";
import { requireOperation } from "./version-gate.js";

/** A started VM creation from a frozen configuration, with the new VM's id. */
export interface CreateServerFromConfigRef extends TaskRef {
  /** The new VM (powered off, with empty disks, once the task finishes). */
  serverId: string;
}

const Input = gate<CreateServerFromConfigRequest>()(
  z.looseObject({
    az_id: z.string().min(1),
    name: z.string().trim().min(1).max(128).exactOptional(),
    hardware_option: z
      .looseObject({
        disks: z
          .array(z.looseObject({ size_mb: z.number().int().min(1).exactOptional() }))
          .min(1)
          .exactOptional(),
      })
      .exactOptional(),
  }),
);

/** Sends `createServerFromConfig` (for `Servers.createFromConfig`). @internal */
export async function createServerFromConfig(
  t: Transport,
  system: System,
  request: CreateServerFromConfigRequest,
  options?: RequestOptions,
): Promise<CreateServerFromConfigRef> {
  const body = parseInput(Input, request, "create-from-config request");
  await requireOperation(system, "createServerFromConfig", "VMs from a backed-up configuration", options);
  const data = await t.data(
    (init) => t.http.POST("/janus/20180725/servers/config", { body, ...init }),
    CreateServerFromConfigResultGate,
    options,
  );
  return { taskId: data.task_id, serverId: data.uuid };
}
