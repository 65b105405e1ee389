import type { Az, Host, Project, User } from "../generated/schema.js";
import type { Inventory, ScpSimulatorNetwork, SimAccount } from "./model.js";
import type { ResolvedOptions } from "./options.js";
import type { Random } from "./random.js";

const HOSTS_PER_POOL = 3;

/** The seeded platform: pools, hosts, storage tags, networks, projects, users and their credentials. */
export function seedInventory(random: Random, options: ResolvedOptions): Omit<Inventory, "goldenServerId"> {
  const names = Array.from({ length: options.poolCount }, (_, i) => `HCI-Pool-${String.fromCharCode(65 + i)}`);
  const azs = names.map((name, index) => pool(random, name, index));
  const hosts = azs.flatMap((az, index) => poolHosts(random, az, index));
  const storageTags = azs.flatMap((az) =>
    ["ssd-tier", "hdd-tier"].map((name, index) => ({
      id: random.uuid(),
      name,
      description: `${name} of ${az.name}`,
      ratio: index === 0 ? 0.35 : 0.6,
      total_mb: index === 0 ? 4_194_304 : 16_777_216,
      used_mb: index === 0 ? 1_468_006 : 10_066_330,
      az_id: az.id,
    })),
  );
  const networks = azs.map((az, index) => network(random, az, index));
  const adminProject = project(random, "admin", "admin", azs);
  const tenantProject = project(random, "tenant-demo", "tenant", azs);
  const otherProjects = ["finance", "engineering"].map((name) => project(random, name, "tenant", azs));
  const admin = account(random, options.credentials.username ?? "sim-admin", adminProject.id);
  const tenant = account(random, "tenant-user", tenantProject.id);
  const accounts: SimAccount[] = [{ ...admin.account, ...withoutUndefined(options.credentials) }, tenant.account];
  return {
    azs,
    hosts,
    storageTags,
    networks,
    projects: [adminProject, tenantProject, ...otherProjects],
    users: [admin.user, tenant.user],
    accounts,
    adminProjectId: adminProject.id,
    tenantProjectId: tenantProject.id,
  };
}

/** A resource pool record (HCI unless another platform type is given). */
export function pool(random: Random, name: string, index: number, type = "hci"): Az {
  return {
    id: random.uuid(),
    name,
    description: `Simulated ${type === "hci" ? "HCI" : type} resource pool ${index + 1}`,
    status: "normal",
    tag: "private",
    type,
    version: "6.11.1",
  };
}

/** The hosts of a pool; one host of the second pool is offline. */
export function poolHosts(random: Random, az: Az, poolIndex: number): Host[] {
  const clusterId = random.uuid();
  return Array.from({ length: HOSTS_PER_POOL }, (_, i) => ({
    id: `host-${random.hex(12)}`,
    name: `${az.name.toLowerCase()}-node${i + 1}`,
    ip: `10.${10 + poolIndex}.0.${11 + i}`,
    // One host of the second pool is offline, so filters and placement have something to skip.
    status: poolIndex === 1 && i === HOSTS_PER_POOL - 1 ? "offline" : "running",
    type: "h",
    description: "",
    az_id: az.id,
    cluster_id: clusterId,
    cluster_name: `${az.name}-cluster`,
    cluster_type: az.type === "vmware" ? "vmware" : "hci",
    cpu: { core_count: 64, ratio: Math.round(random.float() * 60) / 100 },
    memory: { total_mb: 524_288, used_mb: random.int(65_536, 393_216), ratio: 0.5 },
  }));
}

/** The VPC subnet of a pool. */
export function network(random: Random, az: Az, index: number): ScpSimulatorNetwork {
  return {
    az_id: az.id,
    vpc_id: random.uuid(),
    vpc_name: `${az.name.toLowerCase()}-vpc`,
    subnet_id: random.uuid(),
    subnet_name: `${az.name.toLowerCase()}-subnet`,
    cidr: `10.${100 + index}.0.0/16`,
  };
}

function project(random: Random, name: string, roleType: "admin" | "tenant", azs: readonly Az[]): Project {
  return {
    id: random.uuid(),
    name,
    username: name,
    role_type: roleType,
    enabled: 1,
    msp_id: "",
    azs: azs.map((az) => ({ az_id: az.id, az_name: az.name, az_tag: "private", type: "hci", arch_type: "hci_x86" })),
  };
}

function account(random: Random, username: string, projectId: string): { user: User; account: SimAccount } {
  const userId = random.uuid();
  return {
    user: {
      id: userId,
      name: username,
      real_name: username,
      project_id: projectId,
      role_id: random.uuid(),
      enabled: true,
    },
    account: {
      userId,
      username,
      password: `Sim-${random.hex(12)}`,
      accessKey: `AK${random.hex(18).toUpperCase()}`,
      secretKey: Buffer.from(random.hex(40), "hex").toString("base64"),
    },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
