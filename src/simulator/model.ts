import type {
  Az,
  Host,
  ImageStatus,
  ImageType,
  Project,
  RoleType,
  ServerDisk,
  ServerNetwork,
  StorageTag,
  User,
  VtoolInstalled,
} from "../generated/schema.js";

/** A VPC subnet VMs can join. */
export interface ScpSimulatorNetwork {
  /** Pool the network lives in. */
  readonly az_id: string;
  /** VPC id. */
  readonly vpc_id: string;
  /** VPC name. */
  readonly vpc_name: string;
  /** Subnet id. */
  readonly subnet_id: string;
  /** Subnet name. */
  readonly subnet_name: string;
  /** Subnet range, such as 10.10.0.0/24. */
  readonly cidr: string;
}

/** A user who can log in (secrets kept apart from the wire-shaped user). */
export interface SimAccount {
  /** User id. */
  readonly userId: string;
  /** Login material. */
  readonly username: string;
  /** Plain password. */
  readonly password: string;
  /** AK. */
  readonly accessKey: string;
  /** SK. */
  readonly secretKey: string;
}

/** Who made a request. */
export interface Caller {
  /** User id. */
  readonly userId: string;
  /** The user's project (tenant). */
  readonly projectId: string;
  /** The project's role. */
  readonly roleType: RoleType;
}

/** VM statuses the simulator uses. */
export type SimServerStatus = "creating" | "running" | "stopped" | "deleting";

/** A VM as the simulator keeps it. */
export interface SimServer {
  id: string;
  vm_id: string;
  name: string;
  description: string;
  status: SimServerStatus;
  az_id: string;
  host_id: string;
  project_id: string;
  user_id: string;
  cores: number;
  sockets: number;
  memory_mb: number;
  os_type: string;
  os_name: string;
  os_installed: number;
  vtool_installed: VtoolInstalled;
  image_id: string;
  storage_tag_id: string;
  storage_id: string;
  created_at: string;
  disks: ServerDisk[];
  networks: ServerNetwork[];
  /** Platform of its pool: hci, or vmware for a VM in a VMware pool. */
  type: string;
  /** vm, or placeholder, dmp_mysql, service, app. */
  vmtype: string;
  turbo_mode_enabled: 0 | 1;
  /** Business type, such as desk; empty when none. */
  application: string;
  revert_mode: 0 | 1;
  /** The snapshot closest to the live data: the last one taken or reverted to. */
  latestSnapshotId: string | undefined;
  /** When the VM last started running (clock ms); undefined when not running. */
  runningSinceMs: number | undefined;
  /** Whether the guest gets vmtools once it runs (image with vmtools, or the golden VM). */
  vmtoolsCapable: boolean;
  /** Deleted without `force`: kept, but gone from every list. */
  recycled: boolean;
}

/** Where an image's bytes come from. */
export type SimImageContent =
  | { readonly kind: "file"; readonly path: string; readonly sizeBytes: number; readonly sha256: string }
  | { readonly kind: "generated"; readonly sizeBytes: number };

/** One pool entry of an image. */
export interface SimImageAz {
  id: string;
  arch_type: string;
  is_available: number;
}

/** An image as the simulator keeps it. */
export interface SimImage {
  id: string;
  name: string;
  description: string;
  status: ImageStatus;
  image_type: ImageType;
  visibility: string;
  disk_format: string;
  os_type: string;
  owner_id: string;
  size_mb: number;
  virtual_size_mb: number;
  is_vmtools_installed: number;
  message: string;
  task_id: string;
  azs: SimImageAz[];
  /** The image's bytes, once uploaded or generated. */
  content: SimImageContent | undefined;
  /** An export finished: the file can be downloaded. */
  exported: boolean;
  /** The VM the image is being made from; such an image takes no upload. */
  sourceServerId?: string;
}

/** A sub-task of a task (one per pool for image distribution). */
export interface SimSubTask {
  readonly task_id: string;
  readonly action: string;
  readonly az_id: string;
  readonly object_id: string;
}

/** A task as the simulator keeps it. */
export interface SimTask {
  readonly task_id: string;
  readonly action: string;
  readonly object_id: string;
  readonly object_name: string;
  readonly object_type: string;
  readonly az_id: string;
  readonly project_id: string;
  readonly user_id: string;
  readonly beginMs: number;
  readonly durationMs: number;
  readonly stuck: boolean;
  readonly subTasks: readonly SimSubTask[];
  /** pending until its end event runs. */
  outcome: "pending" | "finish" | "failure";
  description: string;
  endMs: number | undefined;
}

/** The seeded, mostly fixed part of the platform. */
export interface Inventory {
  readonly azs: Az[];
  readonly hosts: Host[];
  readonly storageTags: (StorageTag & { az_id: string })[];
  readonly networks: ScpSimulatorNetwork[];
  readonly projects: Project[];
  readonly users: User[];
  readonly accounts: SimAccount[];
  readonly adminProjectId: string;
  readonly tenantProjectId: string;
  readonly goldenServerId: string;
}
