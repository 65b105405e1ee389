import type { ServerConfig, ServerConfigDisk } from "../generated/schema.js";
import type { HotAddDiskInput, HotAddedDisk, ScpHotAddWire } from "../options.js";
import { HotAddDisksResultGate } from "../schemas.js";

function fromConfigDisk(disk: ServerConfigDisk): HotAddedDisk | undefined {
  if (disk.hotadd !== 1 || !disk.id || !disk.serial) {
    return undefined;
  }
  return {
    proxyDiskId: disk.id,
    serial: disk.serial,
    serverId: disk.source_server_id ?? "",
    diskId: disk.source_disk_id ?? "",
    snapshotId: disk.source_snapshot_id,
    application: disk.application,
  };
}

/**
 * The SDK's design of SCP 6.11.3's unpublished hot-add calls, in one place (every part inferred from the guide;
 * see `openapi/scp.yaml`, `x-scp-confidence: inferred`). A client merges its `hotAdd` option over it.
 * @internal
 */
export const DEFAULT_HOT_ADD_WIRE: Readonly<ScpHotAddWire> = Object.freeze({
  attachPath: "/janus/20240725/servers/{server_id}/disks",
  detachPath: "/janus/20240725/servers/{server_id}/disks/action",
  attachBody: (disks: readonly HotAddDiskInput[]) => ({
    disks: disks.map((d) => ({
      server_id: d.serverId,
      disk_id: d.diskId,
      ...(d.snapshotId === undefined ? {} : { snapshot_id: d.snapshotId }),
      application: d.application,
    })),
  }),
  readAttachAnswer: (data: unknown) => {
    const parsed = HotAddDisksResultGate.safeParse(data);
    if (!parsed.success) {
      throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
    }
    return {
      taskId: parsed.data.task_id,
      disks: parsed.data.disks.map((d) => ({
        proxyDiskId: d.id,
        serial: d.serial,
        serverId: d.server_id,
        diskId: d.disk_id,
        snapshotId: d.snapshot_id,
        application: undefined,
      })),
    };
  },
  detachBody: (proxyDiskIds: readonly string[]) => ({ action: "remove", disk_ids: [...proxyDiskIds] }),
  readAttached: (config: ServerConfig) =>
    (config.disks ?? []).flatMap((d: ServerConfigDisk) => fromConfigDisk(d) ?? []),
});
