import { z } from "zod";
import type {
  CreateServerFromConfigRequest,
  CreateServerRequest,
  operations,
  Server,
  ServerConfig,
  UpdateServerRequest,
} from "../generated/schema.js";
import { CreateServerResultGate, gate, ServerConfigGate, ServerGate, TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { MAX_PAGE_SIZE, pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { parseInput } from "../validate.js";
import type { System } from "./platform.js";
import { parseId, parseQuery, type RequestOptions, type TaskRef } from "./request-options.js";
import { type CreateServerFromConfigRef, createServerFromConfig } from "./server-from-config.js";

/** Filters and paging of a VM list. */
export type ServerListQuery = NonNullable<operations["listServers20240725"]["parameters"]["query"]>;

/** A started VM creation, with the ids the new VMs will have. */
export interface CreateServerRef extends TaskRef {
  /** Ids of the VMs being created. */
  serverIds: string[];
}

/** A started deletion; `taskId` is undefined when SCP answered 204 without a body. */
export interface DeleteServerRef {
  /** The deletion task, when SCP sent one. */
  taskId: string | undefined;
}

const ServerPage = pageSchema(ServerGate);
const name = z.string().trim().min(1).max(128);
const count = z.number().int().min(1);

const CreateServerInput = gate<CreateServerRequest>()(
  z.looseObject({
    az_id: z.string().min(1),
    image_id: z.string().min(1),
    name,
    cores: count,
    sockets: count,
    memory_mb: count,
    disks: z.array(z.looseObject({ id: z.string().min(1), size_mb: count })),
    networks: z.array(z.looseObject({ vif_id: z.string().min(1), connect: z.union([z.literal(0), z.literal(1)]) })),
    count: count.exactOptional(),
    power_on: z.union([z.literal(0), z.literal(1)]).exactOptional(),
    description: z.string().max(1024).exactOptional(),
  }),
);

const UpdateServerInput = gate<UpdateServerRequest>()(
  z
    .looseObject({
      name: name.exactOptional(),
      description: z.string().max(1024).exactOptional(),
      cores: count.exactOptional(),
      sockets: count.exactOptional(),
      memory_mb: count.exactOptional(),
      os_name: z.string().min(1).max(128).exactOptional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, "must change at least one field"),
);

const ForceInput = z.strictObject({ force: z.boolean().optional() });
const LIST = "/janus/20240725/servers";

/** Virtual machines: list, read, create from an image, edit, power and delete. */
export class Servers {
  readonly #t: Transport;
  readonly #system: System;

  /** @internal */
  constructor(transport: Transport, system: System) {
    this.#t = transport;
    this.#system = system;
  }

  /** Reads one page of VMs (at most 100). */
  async list(query: ServerListQuery = {}, options?: RequestOptions): Promise<ScpPage<Server>> {
    const q = parseQuery(query, "server list query");
    return this.#t.data((init) => this.#t.http.GET(LIST, { params: { query: q }, ...init }), ServerPage, options);
  }

  /** Iterates over every VM matching the query, fetching pages as the loop goes. */
  listAll(
    query: Omit<ServerListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<Server, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "server list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: LIST,
    });
  }

  /**
   * Reads a VM's configuration (including `os_name`).
   * @throws {@link ScpNotFoundError} when there is no such VM.
   */
  async get(serverId: string, options?: RequestOptions): Promise<ServerConfig> {
    const server_id = parseId(serverId, "server id");
    return this.#t.data(
      (init) => this.#t.http.GET("/janus/20240725/servers/{server_id}", { params: { path: { server_id } }, ...init }),
      ServerConfigGate,
      options,
    );
  }

  /** Reads a VM as the list shows it (power state, numeric VM id, vmtools), or undefined when it does not exist. */
  async find(serverId: string, options?: RequestOptions): Promise<Server | undefined> {
    const ids = parseId(serverId, "server id");
    const page = await this.list({ ids, page_size: 1 }, options);
    return page.items.find((s) => s.id === ids);
  }

  /** Starts creating VMs from an image. */
  async create(request: CreateServerRequest, options?: RequestOptions): Promise<CreateServerRef> {
    const body = parseInput(CreateServerInput, request, "server create request");
    const data = await this.#t.data(
      (init) => this.#t.http.POST("/janus/20220725/servers", { body, ...init }),
      CreateServerResultGate,
      options,
    );
    return { taskId: data.task_id, serverIds: data.uuids ?? [] };
  }

  /** Starts creating a powered-off VM with empty disks from a snapshot's `vmconf` (plus `az_id`), for a restore. */
  createFromConfig(
    request: CreateServerFromConfigRequest,
    options?: RequestOptions,
  ): Promise<CreateServerFromConfigRef> {
    return createServerFromConfig(this.#t, this.#system, request, options);
  }

  /** Starts editing a VM; send only the fields to change (`os_name: "Backup Proxy"` marks a backup proxy). */
  async update(serverId: string, patch: UpdateServerRequest, options?: RequestOptions): Promise<TaskRef> {
    const server_id = parseId(serverId, "server id");
    const body = parseInput(UpdateServerInput, patch, "server update");
    const data = await this.#t.data(
      (init) =>
        this.#t.http.PUT("/janus/20210725/servers/{server_id}", { params: { path: { server_id } }, body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Starts deleting a VM: to the recycle bin, or for good with `force`. */
  async delete(serverId: string, input: { force?: boolean } = {}, options?: RequestOptions): Promise<DeleteServerRef> {
    const server_id = parseId(serverId, "server id");
    const { force } = parseInput(ForceInput, input, "server delete input");
    const body = { force: force ? 1 : 0 } as const;
    const data = await this.#t.maybe(
      (init) =>
        this.#t.http.DELETE("/janus/20180725/servers/{server_id}", { params: { path: { server_id } }, body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data?.task_id };
  }

  /** Starts powering a VM on. */
  async start(serverId: string, options?: RequestOptions): Promise<TaskRef> {
    const server_id = parseId(serverId, "server id");
    const data = await this.#t.data(
      (init) =>
        this.#t.http.POST("/janus/20180725/servers/{server_id}/start", { params: { path: { server_id } }, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Starts shutting a VM down; `force` cuts the power instead of asking the guest. */
  async stop(serverId: string, input: { force?: boolean } = {}, options?: RequestOptions): Promise<TaskRef> {
    const server_id = parseId(serverId, "server id");
    const { force } = parseInput(ForceInput, input, "server stop input");
    const body = { force: force ? 1 : 0 } as const;
    const data = await this.#t.data(
      (init) =>
        this.#t.http.POST("/janus/20180725/servers/{server_id}/stop", {
          params: { path: { server_id } },
          body,
          ...init,
        }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }
}
