import { z } from "zod";
import type { ScpClient } from "../client.js";
import type { HotAddedDisk } from "../options.js";
import { RequestOptionsSchema } from "../resolve-options.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Server } from "../types.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { forEachLimit } from "./concurrency.js";
import { ownedBy, readFleetServers } from "./fleet-servers.js";
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
  /** Disks of other VMs hot-added to it (a backup or restore in progress, or left by one); read when asked for. */
  heldDisks?: HotAddedDisk[];
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

/** The fleet's own proxies among the VMs, as the inventory shows them, sorted by name. @internal */
export function fleetProxies(servers: readonly Server[], fleetId: string): BackupProxy[] {
  return servers
    .filter(ownedBy(fleetId))
    .map(toBackupProxy)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Which proxies to list. */
export interface FindBackupProxiesInput {
  /** Only this resource pool. */
  azId?: string;
  /** Only VMs carrying this fleet's ownership marker. */
  fleetId?: string;
  /** Also read which disks each proxy holds (one request per proxy). @defaultValue false */
  includeHeldDisks?: boolean;
}

const FindInput = z.strictObject({
  azId: ScpIdSchema.optional(),
  fleetId: z.string().regex(FLEET_ID_PATTERN, "must be lower-case letters, digits and dashes").optional(),
  includeHeldDisks: z.boolean().optional(),
});

/** Proxy configurations read at once. */
const HELD_READS = 8;

/**
 * Reads the disks each proxy holds into its `heldDisks`, a few proxies at a time. A VM that is not marked as a
 * Backup Proxy cannot hold any, so it is not read.
 * @internal
 */
export async function readHeldDisks(
  scp: ScpClient,
  proxies: readonly BackupProxy[],
  options: RequestOptions = {},
): Promise<void> {
  const marked = proxies.filter((p) => p.osName === BACKUP_PROXY_OS_NAME);
  for (const p of proxies) {
    p.heldDisks = [];
  }
  await forEachLimit(marked, HELD_READS, async (proxy) => {
    proxy.heldDisks = await scp.hotAdd.attached(proxy.serverId, options);
  });
}

/** Options of a workflow that only reads: each of its requests' signal, attempt limit and retry policy. */
export type ReadOptions = Omit<RequestOptions, "clientToken">;

/** Checks read options: a real signal, a valid timeout and retry policy, no unknown keys (no clientToken). @internal */
export const ReadOptionsSchema = z.strictObject({
  signal: RequestOptionsSchema.shape.signal,
  timeoutMs: RequestOptionsSchema.shape.timeoutMs,
  retry: RequestOptionsSchema.shape.retry,
});

/**
 * Lists backup proxies with their readiness: VMs whose `os_name` is "Backup Proxy" or that carry a fleet's
 * ownership marker (only that fleet's, when `fleetId` is given). With a `fleetId` it reads only VMs named like
 * the fleet's proxies (usually one request, however many VMs the platform has; a proxy renamed away from its
 * fleet's name is not found). Without one it must read every VM (of the pool, with `azId`): SCP cannot filter
 * the list by `os_name`.
 */
export async function findBackupProxies(
  scp: ScpClient,
  input: FindBackupProxiesInput = {},
  options: ReadOptions = {},
): Promise<BackupProxy[]> {
  const { azId, fleetId, includeHeldDisks } = parseInput(FindInput, input, "findBackupProxies input");
  parseInput(ReadOptionsSchema, options, "findBackupProxies options");
  const inPool = (s: Server) => azId === undefined || s.az_id === azId;
  let proxies: BackupProxy[];
  if (fleetId !== undefined) {
    proxies = fleetProxies((await readFleetServers(scp, fleetId, options)).filter(inPool), fleetId);
  } else {
    proxies = [];
    for await (const server of scp.servers.listAll(azId ? { az_id: azId } : {}, options)) {
      if (parseMarker(server.description) !== undefined || server.os_name === BACKUP_PROXY_OS_NAME) {
        proxies.push(toBackupProxy(server));
      }
    }
    proxies.sort((a, b) => a.name.localeCompare(b.name));
  }
  if (includeHeldDisks) {
    await readHeldDisks(scp, proxies, options);
  }
  return proxies;
}
