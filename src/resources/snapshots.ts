import { z } from "zod";
import type { SnapshotDetail, SnapshotListItem } from "../generated/schema.js";
import { CreateSnapshotResultGate, SnapshotDetailGate, SnapshotListItemGate, TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import type { System } from "./platform.js";
import { parseId, type RequestOptions, type TaskRef } from "./request-options.js";
import { requireOperation } from "./version-gate.js";

/** What a new snapshot is called and what kind it is. */
export interface CreateSnapshotInput {
  /** Its name; `current` is reserved. */
  name: string;
  /** Free text (sessions put their marker here). */
  description?: string;
  /** `vs` (a storage snapshot, the default), `qcow2` or `external_qcow2`. */
  snap_type?: string;
}

/** A started snapshot, with the id it will have. */
export interface CreateSnapshotRef extends TaskRef {
  /** The new snapshot's id; usable once the task finishes. */
  snapshotId: string;
}

/** A started snapshot deletion; `taskId` is undefined when SCP answered 204 without a body. */
export interface DeleteSnapshotRef {
  /** The deletion task, when SCP sent one. */
  taskId: string | undefined;
}

/** How a revert goes. */
export interface RevertSnapshotInput {
  /** Take a snapshot of the current state first. @defaultValue false */
  backup?: boolean;
  /** Power the VM on afterwards. @defaultValue false */
  powerOn?: boolean;
}

const FEATURE = "snapshots";
const CreateInput = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .refine((name) => name !== "current", 'must not be "current" (SCP reserves it for the running state)'),
  description: z.string().max(1024).exactOptional(),
  snap_type: z
    .string()
    .regex(/^(vs|qcow2|external_qcow2)$/i, "must be vs, qcow2 or external_qcow2")
    .exactOptional(),
});
const RevertInput = z.strictObject({ backup: z.boolean().optional(), powerOn: z.boolean().optional() });
const SnapshotIds = z.array(ScpIdSchema).min(1, "must name at least one snapshot");
const SnapshotList = z.array(SnapshotListItemGate);
const ONE = "/janus/20180725/servers/{server_id}/snapshots/{snapshot_id}";

/** VM snapshots: take, list, read (with the CBT checkpoint and frozen configuration), delete and revert. */
export class Snapshots {
  readonly #t: Transport;
  readonly #system: System;

  /** @internal */
  constructor(transport: Transport, system: System) {
    this.#t = transport;
    this.#system = system;
  }

  /** Starts taking a snapshot of a VM (HCI pools only); the content is frozen at the request. */
  async create(serverId: string, input: CreateSnapshotInput, options?: RequestOptions): Promise<CreateSnapshotRef> {
    const server_id = parseId(serverId, "server id");
    const body = parseInput(CreateInput, input, "snapshot create input");
    await requireOperation(this.#system, "createServerSnapshot2019", FEATURE, options);
    const path = "/janus/20190725/servers/{server_id}/snapshots";
    const data = await this.#t.data(
      (init) => this.#t.http.POST(path, { params: { path: { server_id } }, body, ...init }),
      CreateSnapshotResultGate,
      options,
    );
    return { taskId: data.task_id, snapshotId: data.resource_id as string };
  }

  /** Lists a VM's snapshots, oldest first, with whether each is quiesced. */
  async list(serverId: string, options?: RequestOptions): Promise<SnapshotListItem[]> {
    const server_id = parseId(serverId, "server id");
    await requireOperation(this.#system, "getServerSnapshots2021", FEATURE, options);
    const path = "/janus/20210725/servers/{server_id}/snapshots";
    return this.#t.data(
      (init) => this.#t.http.GET(path, { params: { path: { server_id } }, ...init }),
      SnapshotList,
      options,
    );
  }

  /**
   * Reads a snapshot with its CBT `checkpoint_id` and the VM configuration it froze (`vmconf`).
   * @throws {@link ScpNotFoundError} when there is no such snapshot.
   */
  async get(serverId: string, snapshotId: string, options?: RequestOptions): Promise<SnapshotDetail> {
    const path = { server_id: parseId(serverId, "server id"), snapshot_id: parseId(snapshotId, "snapshot id") };
    await requireOperation(this.#system, "getServerSnapshot", FEATURE, options);
    return this.#t.data((init) => this.#t.http.GET(ONE, { params: { path }, ...init }), SnapshotDetailGate, options);
  }

  /** Starts deleting a snapshot; remove disks hot-added from it first. */
  async delete(serverId: string, snapshotId: string, options?: RequestOptions): Promise<DeleteSnapshotRef> {
    const path = { server_id: parseId(serverId, "server id"), snapshot_id: parseId(snapshotId, "snapshot id") };
    await requireOperation(this.#system, "deleteSnapshot", FEATURE, options);
    const data = await this.#t.maybe(
      (init) => this.#t.http.DELETE(ONE, { params: { path }, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data?.task_id };
  }

  /** Starts deleting several snapshots of one VM in one task: all of them or, if one is unknown, none. */
  async deleteMany(serverId: string, snapshotIds: readonly string[], options?: RequestOptions): Promise<TaskRef> {
    const server_id = parseId(serverId, "server id");
    const snapshot_ids = parseInput(SnapshotIds, snapshotIds, "snapshot ids");
    await requireOperation(this.#system, "batchDeleteSnapshots", FEATURE, options);
    const body = { action: "delete" as const, snapshot_ids };
    const data = await this.#t.data(
      (init) =>
        this.#t.http.POST("/janus/20180725/servers/{server_id}/snapshots/action", {
          params: { path: { server_id } },
          body,
          ...init,
        }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Starts reverting a VM to a snapshot; afterwards the VM's CBT has expired until it is reset. */
  async revert(
    serverId: string,
    snapshotId: string,
    input: RevertSnapshotInput = {},
    options?: RequestOptions,
  ): Promise<TaskRef> {
    const path = { server_id: parseId(serverId, "server id"), snapshot_id: parseId(snapshotId, "snapshot id") };
    const { backup, powerOn } = parseInput(RevertInput, input, "snapshot revert input");
    await requireOperation(this.#system, "recoverSnapshot", FEATURE, options);
    const body = { backup: backup ? 1 : 0, power_on: powerOn ? 1 : 0 } as const;
    const data = await this.#t.data(
      (init) =>
        this.#t.http.POST("/janus/20180725/servers/{server_id}/snapshots/{snapshot_id}/recovery", {
          params: { path },
          body,
          ...init,
        }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }
}
