import type { ScpClientOptions } from "./options.js";
import { resolveOptions } from "./resolve-options.js";
import { BackupResources } from "./resources/backup-resources.js";
import { Cbt } from "./resources/cbt.js";
import { Guest } from "./resources/guest.js";
import { HotAdd } from "./resources/hot-add.js";
import { Images } from "./resources/images.js";
import { Azs, Hosts, StorageTags, System } from "./resources/platform.js";
import { Projects, Users } from "./resources/projects.js";
import { Servers } from "./resources/servers.js";
import { Snapshots } from "./resources/snapshots.js";
import { Tasks } from "./resources/tasks.js";
import { createTransport } from "./transport/create-transport.js";
import type { HttpClient } from "./transport/http-client.js";

/** A client for one SCP, with a resource group per API area and the typed raw client as an escape hatch. */
export interface ScpClient {
  /** The SCP address the client talks to (sessions key their journals by it). */
  readonly baseUrl: string;
  /** Typed openapi-fetch client for any operation in the spec; calls still go through auth, retry and timeouts. */
  readonly http: HttpClient;
  /** Virtual machines. */
  readonly servers: Servers;
  /** Images, including VMA images made from VMs. */
  readonly images: Images;
  /** Commands in guest OSes. */
  readonly guest: Guest;
  /** Asynchronous tasks. */
  readonly tasks: Tasks;
  /** Resource pools. */
  readonly azs: Azs;
  /** Physical hosts. */
  readonly hosts: Hosts;
  /** Storage tags. */
  readonly storageTags: StorageTags;
  /** Tenants, including the administrator's. */
  readonly projects: Projects;
  /** Users. */
  readonly users: Users;
  /** Version and platform facts. */
  readonly system: System;
  /** VM snapshots, with their CBT checkpoints and frozen configurations. */
  readonly snapshots: Snapshots;
  /** Changed block tracking and changed areas. */
  readonly cbt: Cbt;
  /** Backup resources: the platform's lock on a VM during a backup or a restore. */
  readonly backupResources: BackupResources;
  /** Hot-adding disks to backup proxies (SCP 6.11.3; the wire can be overridden with the `hotAdd` option). */
  readonly hotAdd: HotAdd;
}

/**
 * Creates an SCP client. Nothing is sent until the first call.
 * @throws {@link ScpValidationError} when an option is missing or malformed.
 * @example
 * ```ts
 * const scp = createScpClient({
 *   baseUrl: "https://10.0.0.10:4430",
 *   auth: { type: "signature", accessKey: process.env.SCP_ACCESS_KEY!, secretKey: process.env.SCP_SECRET_KEY! },
 *   tls: { ca: readFileSync("scp-ca.pem", "utf8") },
 * });
 * for await (const vm of scp.servers.listAll({ az_id })) console.log(vm.name, vm.os_name);
 * ```
 */
export function createScpClient(options: ScpClientOptions): ScpClient {
  const resolved = resolveOptions(options);
  const transport = createTransport(resolved);
  const system = new System(transport);
  return {
    baseUrl: resolved.baseUrl,
    http: transport.http,
    servers: new Servers(transport, system),
    images: new Images(transport, resolved.timeoutMs),
    guest: new Guest(transport),
    tasks: new Tasks(transport, resolved.hooks.onTask),
    azs: new Azs(transport),
    hosts: new Hosts(transport),
    storageTags: new StorageTags(transport),
    projects: new Projects(transport),
    users: new Users(transport),
    system,
    snapshots: new Snapshots(transport, system),
    cbt: new Cbt(transport, system),
    backupResources: new BackupResources(transport, system),
    hotAdd: new HotAdd(transport, system, resolved.hotAdd),
  };
}
