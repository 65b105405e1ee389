import type { VtoolInstalled } from "../generated/schema.js";
import type { Inventory, SimImage, SimServer } from "./model.js";
import type { ResolvedOptions } from "./options.js";
import type { Random } from "./random.js";
import { buildServer, type IpAllocator, type ServerInput } from "./server-records.js";
import { scpTime } from "./time.js";

type BaseInventory = Omit<Inventory, "goldenServerId">;
const MIB = 1024 * 1024;
// Seeded creation dates start here, so the inventory does not depend on when the simulator starts.
const SEED_EPOCH_MS = Date.UTC(2025, 0, 1);
const OS_TYPES = ["l2664", "linux-centos", "linux-debian", "ws1964", "ws1664", "linux-kylinos"] as const;

/** The seeded images: a public Linux image, a public ISO and the tenant's private image (first pool only). */
export function seedImages(random: Random, inventory: BaseInventory, options: ResolvedOptions): SimImage[] {
  const all = inventory.azs.map((az) => az.id);
  const first = all.slice(0, 1);
  return [
    image(random, { name: "CentOS-7.9-x86_64", type: "public", owner: inventory.adminProjectId, azs: all }, 1),
    image(random, { name: "ubuntu-22.04-server.iso", type: "public", owner: inventory.adminProjectId, azs: all }, 0),
    image(random, { name: "tenant-app-image", type: "private", owner: inventory.tenantProjectId, azs: first }, 0),
  ].map((img) => ({
    ...img,
    size_mb: Math.ceil(options.vmaSizeBytes / MIB),
    content: { kind: "generated", sizeBytes: options.vmaSizeBytes },
  }));
}

function image(
  random: Random,
  spec: { name: string; type: "public" | "private"; owner: string; azs: readonly string[] },
  vmtools: number,
): SimImage {
  const iso = spec.name.endsWith(".iso");
  return {
    id: random.uuid(),
    name: spec.name,
    description: `Seeded ${spec.type} image`,
    status: "active",
    image_type: spec.type,
    visibility: spec.type,
    disk_format: iso ? "ISO" : "aCloud",
    os_type: iso ? "linux-debian" : "l2664",
    owner_id: spec.owner,
    size_mb: 0,
    virtual_size_mb: iso ? 1_800 : 40 * 1024,
    is_vmtools_installed: vmtools,
    message: "",
    task_id: "",
    azs: spec.azs.map((id) => ({ id, arch_type: "hci_x86", is_available: 1 })),
    content: undefined,
    exported: false,
  };
}

/** The golden proxy VM (first) and `serverCount` unrelated VMs spread over pools, projects and power states. */
export function seedServers(
  deps: { random: Random; inventory: BaseInventory; ips: IpAllocator; vmIds: Set<string> },
  images: readonly SimImage[],
  options: ResolvedOptions,
  nowMs: number,
): SimServer[] {
  const { inventory } = deps;
  const pool0 = inventory.azs[0]?.id ?? "";
  const golden = buildServer(
    deps,
    placed(inventory, pool0, inventory.adminProjectId, {
      name: "golden-backup-proxy",
      description: "Golden VM for backup-proxy images",
      status: "stopped",
      cores: 2,
      sockets: 1,
      memory_mb: 4096,
      os_type: "l2664",
      os_name: "Linux",
      image_id: images[0]?.id ?? "",
      vtool_installed: 1,
      vmtoolsCapable: true,
      created_at: scpTime(SEED_EPOCH_MS),
      disks: [{ id: "ide0", size_mb: 40_960, type: "derive_disk" }],
    }),
  );
  const others = Array.from({ length: options.serverCount }, (_, i) => unrelated(deps, i, nowMs));
  return [golden, ...others];
}

function unrelated(
  deps: { random: Random; inventory: BaseInventory; ips: IpAllocator; vmIds: Set<string> },
  index: number,
  nowMs: number,
): SimServer {
  const { random, inventory } = deps;
  const az = random.pick(inventory.azs);
  const project = random.pick(inventory.projects);
  const running = random.float() < 0.55;
  const vtools: VtoolInstalled = running ? random.pick([1, 1, 1, 0, -2] as const) : random.pick([1, 0, 0, -2] as const);
  const server = buildServer(
    deps,
    placed(inventory, az.id, project.id, {
      name: `vm-${String(index + 1).padStart(3, "0")}`,
      description: "",
      status: running ? "running" : "stopped",
      cores: random.pick([1, 2, 4, 8]),
      sockets: random.pick([1, 2]),
      memory_mb: random.pick([1024, 2048, 4096, 8192]),
      os_type: random.pick(OS_TYPES),
      os_name: "",
      image_id: "",
      vtool_installed: vtools,
      vmtoolsCapable: vtools === 1,
      created_at: scpTime(SEED_EPOCH_MS + random.int(1, 500_000) * 60_000),
      disks: [{ id: "ide0", size_mb: random.pick([20_480, 40_960, 81_920]) }],
    }),
  );
  server.runningSinceMs = running ? nowMs - random.int(60, 864_000) * 1000 : undefined;
  return server;
}

/**
 * A VM's input with its pool, project, owner, storage tag and NIC filled in. Object.assign, not a spread: V8
 * makes a spread followed by this many properties a slow dictionary object, which cost seconds at 20,000 VMs.
 */
function placed(
  inventory: BaseInventory,
  azId: string,
  projectId: string,
  rest: Omit<ServerInput, "az_id" | "project_id" | "user_id" | "storage_tag_id" | "networks">,
): ServerInput {
  const user = inventory.users.find((u) => u.project_id === projectId) ?? inventory.users[0];
  const tag = inventory.storageTags.find((t) => t.az_id === azId);
  const place = {
    az_id: azId,
    project_id: projectId,
    user_id: user?.id ?? "",
    storage_tag_id: tag?.id ?? "",
    networks: [{ vif_id: "net0", connect: 1 }],
  };
  return Object.assign(place, rest);
}

/** Bytes in a MiB, for size_mb fields. */
export const BYTES_PER_MIB = MIB;
