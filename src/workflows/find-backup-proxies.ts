import { z } from "zod";
import type { ScpClient } from "../client.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Server } from "../types.js";
import { parseInput } from "../validate.js";
import { BACKUP_PROXY_OS_NAME, FLEET_ID_PATTERN, parseMarker } from "./marker.js";

/** What vmtools reports in a VM. */
export type VmtoolsState = "installed" | "not-installed" | "failed" | "unsupported" | "unknown";

/** A backup proxy as the inventory shows it. */
export interface BackupProxy {
  /** VM id. */
  serverId: string;
  /** VM name. */
  name: string;
  /** Resource pool. */
  azId: string | undefined;
  /** Fleet from the ownership marker; undefined for a proxy no fleet owns. */
  fleetId: string | undefined;
  /** Image the VM was created from. */
  imageId: string | undefined;
  /** Digest of the init script that ran in it, from the marker. */
  initDigest: string | undefined;
  /** The VM's `os_name`; "Backup Proxy" marks a proxy. */
  osName: string | undefined;
  /** VM status, such as running, stopped or creating. */
  status: string | undefined;
  /** Power state. */
  powerState: "on" | "off" | undefined;
  /** vmtools state. */
  vmtools: VmtoolsState;
  /** True when it can serve HotAdd backups now. */
  ready: boolean;
  /** Why it cannot, in words; empty when ready. */
  notReady: string[];
}

const VMTOOLS: Readonly<Record<string, VmtoolsState>> = {
  "1": "installed",
  "0": "not-installed",
  "-1": "failed",
  "-2": "unsupported",
};

/** Describes one VM as a backup proxy. @internal */
export function toBackupProxy(server: Server): BackupProxy {
  const marker = parseMarker(server.description);
  const vmtools = VMTOOLS[String(server.vtool_installed)] ?? "unknown";
  const notReady: string[] = [];
  if (server.os_name !== BACKUP_PROXY_OS_NAME) {
    notReady.push(`os_name is ${JSON.stringify(server.os_name ?? "")}, not "${BACKUP_PROXY_OS_NAME}"`);
  }
  if (server.status === "creating") {
    notReady.push("still being created");
  } else if (server.power_state !== "on") {
    notReady.push("powered off");
  }
  if (vmtools !== "installed") {
    notReady.push(`vmtools ${vmtools}`);
  }
  return {
    serverId: server.id,
    name: server.name,
    azId: server.az_id,
    fleetId: marker?.fleetId,
    imageId: server.image_id ?? marker?.imageId,
    initDigest: marker?.initDigest,
    osName: server.os_name,
    status: server.status,
    powerState: server.power_state,
    vmtools,
    ready: notReady.length === 0,
    notReady,
  };
}

/** Which proxies to list. */
export interface FindBackupProxiesInput {
  /** Only this resource pool. */
  azId?: string;
  /** Only VMs carrying this fleet's ownership marker. */
  fleetId?: string;
}

const FindInput = z.strictObject({
  azId: z.string().min(1).optional(),
  fleetId: z.string().regex(FLEET_ID_PATTERN, "must be lower-case letters, digits and dashes").optional(),
});

/**
 * Lists backup proxies with their readiness: VMs whose `os_name` is "Backup Proxy" or that carry a fleet's
 * ownership marker (only that fleet's, when `fleetId` is given).
 */
export async function findBackupProxies(
  scp: ScpClient,
  input: FindBackupProxiesInput = {},
  options: RequestOptions = {},
): Promise<BackupProxy[]> {
  const { azId, fleetId } = parseInput(FindInput, input, "findBackupProxies input");
  const proxies: BackupProxy[] = [];
  for await (const server of scp.servers.listAll(azId ? { az_id: azId } : {}, options)) {
    const marker = parseMarker(server.description);
    const wanted = fleetId
      ? marker?.fleetId === fleetId
      : marker !== undefined || server.os_name === BACKUP_PROXY_OS_NAME;
    if (wanted) {
      proxies.push(toBackupProxy(server));
    }
  }
  return proxies.sort((a, b) => a.name.localeCompare(b.name));
}
