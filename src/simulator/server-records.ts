import type { ServerDisk, ServerNetwork, VtoolInstalled } from "../generated/schema.js";
import type { Inventory, SimServer, SimServerStatus } from "./model.js";
import type { Random } from "./random.js";

/** A disk as a create request or the seed describes it. */
export interface DiskInput {
  readonly id: string;
  readonly size_mb: number;
  readonly type?: string | undefined;
  readonly preallocate?: string | undefined;
}

/** A NIC as a create request or the seed describes it. */
export interface NicInput {
  readonly vif_id: string;
  readonly connect: number;
  readonly model?: string | undefined;
  readonly mac_address?: string | undefined;
  readonly vpc_id?: string | undefined;
  readonly subnet_id?: string | undefined;
}

/** What a new VM record needs. */
export interface ServerInput {
  readonly name: string;
  readonly description: string;
  readonly status: SimServerStatus;
  readonly az_id: string;
  readonly project_id: string;
  readonly user_id: string;
  readonly cores: number;
  readonly sockets: number;
  readonly memory_mb: number;
  readonly os_type: string;
  readonly os_name: string;
  readonly image_id: string;
  readonly storage_tag_id: string;
  readonly vtool_installed: VtoolInstalled;
  readonly vmtoolsCapable: boolean;
  readonly created_at: string;
  readonly disks: readonly DiskInput[];
  readonly networks: readonly NicInput[];
  /** What the pre-backup checks read; an ordinary HCI VM when absent. */
  readonly kind?: Partial<Pick<SimServer, "type" | "vmtype" | "turbo_mode_enabled" | "application" | "revert_mode">>;
}

/** Hands out addresses per subnet, in order. */
export class IpAllocator {
  readonly #next = new Map<string, number>();

  /** The next free address of the subnet whose range is `cidr` (a /16). */
  allocate(subnetId: string, cidr: string): string {
    const n = this.#next.get(subnetId) ?? 0;
    this.#next.set(subnetId, n + 1);
    const [a = "10", b = "0"] = cidr.split(".");
    return `${a}.${b}.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }
}

/** Builds a VM record: fresh ids, a host of its pool, addresses from its subnets. */
export function buildServer(
  deps: { random: Random; inventory: Omit<Inventory, "goldenServerId">; ips: IpAllocator; vmIds: Set<string> },
  input: ServerInput,
): SimServer {
  const { random, inventory } = deps;
  const hosts = inventory.hosts.filter((h) => h.az_id === input.az_id && h.status === "running");
  const host = hosts.length > 0 ? random.pick(hosts) : undefined;
  const storageId = datastoreOf(input.az_id);
  // Drawn in this order (id, numeric id, then MACs and addresses) so the seeded world stays as it was.
  const id = random.uuid();
  const vmId = uniqueVmId(random, deps.vmIds);
  const disks = input.disks.map((d) => disk(d, storageId));
  const networks = input.networks.map((n) => nic(deps, input.az_id, n));
  return record(input, { id, vm_id: vmId, host_id: host?.id ?? "", storage_id: storageId, disks, networks });
}

/**
 * The record as one literal, without spreads: V8 makes a spread followed by this many properties a slow
 * dictionary object (about 0.1 ms to build, slower to read), which cost seconds at 20,000 VMs. The fields list
 * filters read come first, next to each other, since a list checks them on every VM of the platform.
 */
function record(
  input: ServerInput,
  placed: Pick<SimServer, "id" | "vm_id" | "host_id" | "storage_id" | "disks" | "networks">,
): SimServer {
  const { kind } = input;
  return {
    recycled: false,
    project_id: input.project_id,
    az_id: input.az_id,
    id: placed.id,
    runningSinceMs: undefined,
    vm_id: placed.vm_id,
    status: input.status,
    host_id: placed.host_id,
    user_id: input.user_id,
    os_type: input.os_type,
    networks: placed.networks,
    name: input.name,
    description: input.description,
    cores: input.cores,
    sockets: input.sockets,
    memory_mb: input.memory_mb,
    os_name: input.os_name,
    os_installed: 1,
    vtool_installed: input.vtool_installed,
    image_id: input.image_id,
    storage_tag_id: input.storage_tag_id,
    storage_id: placed.storage_id,
    created_at: input.created_at,
    disks: placed.disks,
    type: kind?.type ?? "hci",
    vmtype: kind?.vmtype ?? "vm",
    turbo_mode_enabled: kind?.turbo_mode_enabled ?? 0,
    application: kind?.application ?? "",
    revert_mode: kind?.revert_mode ?? 0,
    latestSnapshotId: undefined,
    vmtoolsCapable: input.vmtoolsCapable,
  };
}

/** The datastore VMs of a pool live on (one shared datastore per pool). */
export function datastoreOf(azId: string): string {
  return `ds-${azId.slice(0, 8)}`;
}

function uniqueVmId(random: Random, taken: Set<string>): string {
  for (;;) {
    const id = random.digits(13);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

function disk(input: DiskInput, storageId: string): ServerDisk {
  return {
    id: input.id,
    type: input.type ?? "new_disk",
    size_mb: input.size_mb,
    storage_id: storageId,
    storage_name: storageId,
    preallocate: input.preallocate ?? "off",
  };
}

function nic(
  deps: { random: Random; inventory: Omit<Inventory, "goldenServerId">; ips: IpAllocator },
  azId: string,
  input: NicInput,
): ServerNetwork {
  const net =
    deps.inventory.networks.find((n) => n.subnet_id === input.subnet_id) ??
    deps.inventory.networks.find((n) => n.az_id === azId);
  const mac = input.mac_address ?? `fe:fc:fe:${deps.random.hex(6).replace(/(..)(?=.)/g, "$1:")}`;
  return {
    vif_id: input.vif_id,
    connect: input.connect,
    model: input.model ?? "virtio",
    mac_address: mac,
    network_type: "vpc",
    vpc_id: net?.vpc_id ?? "",
    subnet_id: net?.subnet_id ?? "",
    ip_address: net ? deps.ips.allocate(net.subnet_id, net.cidr) : "",
  };
}
