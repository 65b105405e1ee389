import { z } from "zod";
import type { ScpClient } from "../client.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Server } from "../types.js";
import { parseInput } from "../validate.js";
import { BACKUP_PROXY_OS_NAME, FLEET_ID_PATTERN, parseMarker } from "./marker.js";
import { describeProblem, type ProxyProblem, proxyProblems, type VmtoolsState, vmtoolsState } from "./readiness.js";

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
  /** Why it cannot, as data; empty when ready. */
  problems: ProxyProblem[];
  /** Why it cannot, in words (one per problem); empty when ready. */
  notReady: string[];
}

/** Describes one VM as a backup proxy. @internal */
export function toBackupProxy(server: Server): BackupProxy {
  const marker = parseMarker(server.description);
  const problems = proxyProblems(server);
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
    vmtools: vmtoolsState(server),
    ready: problems.length === 0,
    problems,
    notReady: problems.map(describeProblem),
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
