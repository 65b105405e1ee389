import { z } from "zod";
import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Server } from "../types.js";
import { parseClient, parseInput, ScpIdSchema } from "../validate.js";
import {
  type BackupProxy,
  type ReadOptions,
  ReadOptionsSchema,
  readHeldDisks,
  toBackupProxy,
} from "./find-backup-proxies.js";
import { BACKUP_PROXY_OS_NAME } from "./marker.js";
import { proxySlots } from "./session-slots.js";

/** Which VM a proxy is wanted for. */
export interface SelectBackupProxyInput {
  /** The VM to back up or restore into. */
  serverId: string;
  /** Only this proxy (checked like any other). */
  proxyId?: string;
}

/** The proxy chosen for a VM, with what it can take. */
export interface SelectedBackupProxy extends BackupProxy {
  /** The host the proxy runs on: the session asks for its backup resource there. */
  hostId: string | undefined;
  /** Disks it serves at once (about one vCPU and 2 GiB each). */
  slots: number;
  /** Slots not taken by disks hot-added to it now. */
  freeSlots: number;
  /** True when it runs on the VM's own host. */
  sameHost: boolean;
}

const Input = z.strictObject({ serverId: ScpIdSchema, proxyId: ScpIdSchema.optional() });

/** A proxy candidate as the choice weighs it. */
function weigh(server: Server, proxy: BackupProxy, vm: Pick<Server, "host_id"> | undefined): SelectedBackupProxy {
  const slots = proxySlots(server);
  const held = proxy.heldDisks?.length ?? 0;
  return {
    ...proxy,
    hostId: server.host_id,
    slots,
    freeSlots: Math.max(0, slots - held),
    sameHost: server.host_id !== undefined && server.host_id === vm?.host_id,
  };
}

/** What keeps a candidate out, in words; undefined when it fits. */
function unfit(candidate: SelectedBackupProxy): string | undefined {
  if (!candidate.ready) {
    return candidate.notReady.join(", ");
  }
  return candidate.freeSlots > 0 ? undefined : `all ${candidate.slots} slots taken by hot-added disks`;
}

/** Best first (those without a free slot are skipped after): the VM's own host (the lock and the data stay local), then the most free slots. */
function rank(a: SelectedBackupProxy, b: SelectedBackupProxy): number {
  return Number(b.sameHost) - Number(a.sameHost) || b.freeSlots - a.freeSlots || a.name.localeCompare(b.name);
}

/**
 * Picks the backup proxy for a VM: a ready one (marked "Backup Proxy", running, vmtools installed) in the VM's
 * resource pool with a free slot, preferring one on the VM's host, then the one with the most free slots. It reads
 * the pool's VMs (SCP cannot filter by `os_name`) and each ready proxy's configuration (its hot-added disks).
 * @throws {@link ScpPreflightError} saying why each proxy does not fit, or that the pool has none.
 * @example
 * ```ts
 * const proxy = await selectBackupProxy(scp, { serverId });
 * console.log(proxy.name, `${proxy.freeSlots}/${proxy.slots} slots free`);
 * ```
 */
export async function selectBackupProxy(
  scp: ScpClient,
  input: SelectBackupProxyInput,
  options: ReadOptions = {},
): Promise<SelectedBackupProxy> {
  parseClient(scp, "selectBackupProxy client");
  const { serverId, proxyId } = parseInput(Input, input, "selectBackupProxy input");
  parseInput(ReadOptionsSchema, options, "selectBackupProxy options");
  const vm = await scp.servers.find(serverId, options);
  if (!vm?.az_id) {
    const checks = [{ name: "the VM exists", ok: false, detail: `no VM ${serverId} (or it has no resource pool)` }];
    throw new ScpPreflightError({ workflow: "selectBackupProxy", checks });
  }
  return pickProxy(scp, { azId: vm.az_id, vm, proxyId }, options);
}

/**
 * Picks a proxy in a pool for a VM (one that may not exist yet, for a restore into a new VM).
 * @throws {@link ScpPreflightError} saying why each proxy does not fit, or that the pool has none.
 * @internal
 */
export async function pickProxy(
  scp: ScpClient,
  want: { azId: string; vm: Pick<Server, "id" | "host_id"> | undefined; proxyId: string | undefined },
  req: RequestOptions,
): Promise<SelectedBackupProxy> {
  const { azId, vm, proxyId } = want;
  const servers: Server[] = [];
  for await (const s of scp.servers.listAll({ az_id: azId }, req)) {
    if (s.os_name === BACKUP_PROXY_OS_NAME && s.id !== vm?.id && (proxyId === undefined || s.id === proxyId)) {
      servers.push(s);
    }
  }
  const proxies = servers.map(toBackupProxy);
  await readHeldDisks(
    scp,
    proxies.filter((p) => p.ready),
    req,
  );
  const candidates = servers.map((s, i) => weigh(s, proxies[i] as BackupProxy, vm)).sort(rank);
  const best = candidates.find((c) => unfit(c) === undefined);
  if (best) {
    return best;
  }
  const checks: ScpCheck[] = candidates.map((c) => ({ name: `proxy ${c.name}`, ok: false, detail: unfit(c) ?? "" }));
  if (checks.length === 0) {
    const which = proxyId === undefined ? "a Backup Proxy" : `proxy ${proxyId}`;
    const deploy = "deploy one there (deployBackupProxyFleet)";
    checks.push({ name: `${which} in resource pool ${azId}`, ok: false, detail: `none found; ${deploy}` });
  }
  throw new ScpPreflightError({ workflow: "selectBackupProxy", checks });
}
