import type { SimServer } from "./model.js";
import type { World } from "./world.js";

/** Marks a VM running from `atMs`; vmtools reports installed `vmtoolsDelayMs` later if the guest has it. */
export function markRunning(world: World, server: SimServer, atMs: number): void {
  server.status = "running";
  server.runningSinceMs = atMs;
  if (!server.vmtoolsCapable || server.vtool_installed === 1) {
    return;
  }
  world.scheduler.at(atMs + world.options.vmtoolsDelayMs, () => {
    // Only if this is still the same boot: a stop (or a restart) in between cancels it.
    if (world.servers.get(server.id) === server && server.runningSinceMs === atMs && server.status === "running") {
      server.vtool_installed = 1;
    }
  });
}

/** Marks a VM stopped. */
export function markStopped(server: SimServer): void {
  server.status = "stopped";
  server.runningSinceMs = undefined;
}

/** True while a VM is being created or deleted, when SCP refuses other changes to it. */
export function isBusy(server: SimServer): boolean {
  return server.status === "creating" || server.status === "deleting";
}
