import { createCipheriv, createHash } from "node:crypto";
import type { Az } from "../generated/schema.js";
import type { ScpSimulatorBackupLab } from "./backup-model.js";
import { network, pool, poolHosts } from "./inventory.js";
import type { SimServer } from "./model.js";
import { Random } from "./random.js";
import { buildServer, type ServerInput } from "./server-records.js";
import { takeSnapshot } from "./snapshots.js";
import { scpTime } from "./time.js";
import type { World } from "./world.js";

type Spec = Partial<ServerInput> & { name: string; azId: string; disksMb: readonly number[]; running: boolean };

/** Seeds the lab into a world, from its own random stream so the rest of the seeded world does not change. */
export function seedBackupLab(world: World): ScpSimulatorBackupLab {
  const { seed, poolCount } = world.options;
  if (poolCount < 2) {
    throw new RangeError("backupLab needs poolCount >= 2 (a VM in another pool than the proxy)");
  }
  const random = new Random(`${seed}:backup-lab`);
  const hci = world.inventory.azs.slice(0, poolCount);
  const vmware = addVmwarePool(world, random);
  const add = (spec: Spec) => addServer(world, random, spec);
  const [first = "", second = ""] = hci.map((az) => az.id);
  const proxies = Object.fromEntries(hci.map((az, i) => [az.id, add({ ...proxySpec(az.id, i), running: true })]));
  const lab: ScpSimulatorBackupLab = {
    proxies,
    vms: {
      running: add({ name: "lab-app", azId: first, disksMb: [4, 2], running: true }),
      stopped: add({ name: "lab-db", azId: first, disksMb: [4], running: false }),
      noVmtools: add({ name: "lab-legacy", azId: first, disksMb: [2], running: true, vtool_installed: 0 }),
      otherPool: add({ name: "lab-app-b", azId: second, disksMb: [2], running: true }),
    },
    refusals: seedRefusals(add, first, vmware.id, hci.length),
    vmwarePoolId: vmware.id,
  };
  seedInternalSnapshot(world, lab.refusals.internalSnapshot);
  return lab;
}

/** One VM per pre-backup check it fails, in the first pool (the VMware one in its own pool). */
function seedRefusals(
  add: (spec: Spec) => string,
  azId: string,
  vmwareId: string,
  spare: number,
): ScpSimulatorBackupLab["refusals"] {
  const small = { azId, disksMb: [1], running: true };
  return {
    notHci: add({ ...small, name: "lab-vmware", azId: vmwareId, kind: { type: "vmware" } }),
    notVm: add({ ...small, name: "lab-placeholder", running: false, kind: { vmtype: "placeholder" } }),
    turboMode: add({ ...small, name: "lab-turbo", kind: { turbo_mode_enabled: 1 } }),
    backupProxy: add({ ...proxySpec(azId, spare), name: "lab-spare-proxy", running: false }),
    deskRevertMode: add({ ...small, name: "lab-desk", kind: { application: "desk", revert_mode: 1 } }),
    internalSnapshot: add({ ...small, name: "lab-internal-snap", running: false }),
  };
}

/** A VMware pool with one host, home of the VM that is not in an HCI pool. */
function addVmwarePool(world: World, random: Random): Az {
  const index = world.options.poolCount;
  const vmware = pool(random, "VMware-Pool", index, "vmware");
  world.inventory.azs.push(vmware);
  world.inventory.hosts.push(...poolHosts(random, vmware, index).slice(0, 1));
  world.inventory.networks.push(network(random, vmware, index));
  return vmware;
}

function proxySpec(azId: string, index: number): Spec {
  return {
    name: `backup-proxy-${String.fromCharCode(97 + index)}`,
    azId,
    disksMb: [20_480],
    running: true,
    os_name: "Backup Proxy",
    cores: 4,
    memory_mb: 8192,
  };
}

function addServer(world: World, random: Random, spec: Spec): string {
  const { name, azId, disksMb, running, ...rest } = spec;
  const nowMs = world.options.clock();
  const vtools = rest.vtool_installed ?? 1;
  const admin = world.inventory.users.find((u) => u.project_id === world.inventory.adminProjectId);
  const server: SimServer = buildServer(
    { random, inventory: world.inventory, ips: world.ips, vmIds: world.vmIds },
    {
      description: "Seeded by the backup lab",
      status: running ? "running" : "stopped",
      project_id: world.inventory.adminProjectId,
      user_id: admin?.id ?? "",
      cores: 2,
      sockets: 1,
      memory_mb: 2048,
      os_type: "l2664",
      os_name: "Linux",
      image_id: "",
      storage_tag_id: world.inventory.storageTags.find((t) => t.az_id === azId)?.id ?? "",
      created_at: scpTime(Date.UTC(2025, 5, 1)),
      networks: [{ vif_id: "net0", connect: 1 }],
      ...rest,
      name,
      az_id: azId,
      vtool_installed: vtools,
      vmtoolsCapable: vtools === 1,
      disks: disksMb.map((mb, i) => ({ id: `virtio${i}`, size_mb: mb, type: "new_disk" })),
    },
  );
  server.runningSinceMs = running ? nowMs - 3_600_000 : undefined;
  world.servers.add(server);
  if (rest.os_name !== "Backup Proxy") {
    seedContent(world, server);
  }
  return server.id;
}

/** Data at the start, in the middle and at the end of each disk, from the seed: what a backup must carry. */
function seedContent(world: World, server: SimServer): void {
  for (const config of server.disks) {
    const disk = world.diskStore.live(server, config.id ?? "");
    if (!disk) {
      continue;
    }
    const ranges = [
      [0, 64 * 1024],
      [disk.sizeBytes / 2 - 4096, 192 * 1024],
      [disk.sizeBytes - 8192, 8192],
    ] as const;
    for (const [offset, length] of ranges) {
      disk.write(offset, seededBytes(`${world.options.seed}:${server.id}:${config.id}:${offset}`, length));
    }
  }
}

/** Deterministic pseudo-random bytes (an AES-CTR key stream keyed by the label's hash). */
export function seededBytes(label: string, length: number): Uint8Array {
  const key = createHash("sha256").update(label).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(length)));
}

function seedInternalSnapshot(world: World, serverId: string): void {
  const server = world.servers.get(serverId);
  if (server) {
    const atMs = Date.UTC(2025, 5, 2);
    takeSnapshot(world, server, { name: "before-upgrade", description: "", type: "qcow2", atMs }).ready = true;
  }
}
