import type { Caller, SimServer } from "./model.js";
import { SimHttpError } from "./responses.js";
import type { World } from "./world.js";

/** True when the caller may see the VM: admins see all, tenants their project's. */
export function visibleTo(caller: Caller, server: SimServer): boolean {
  return !server.recycled && (caller.roleType === "admin" || server.project_id === caller.projectId);
}

/** The VM with this id that the caller may see; 404 otherwise. */
export function findServer(world: World, caller: Caller, id: string): SimServer {
  const server = world.servers.get(id);
  if (!server || !visibleTo(caller, server)) {
    throw new SimHttpError(404, `VM ${id} does not exist`);
  }
  return server;
}
