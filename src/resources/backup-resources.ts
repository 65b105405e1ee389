import { z } from "zod";
import type { BackupResource, BackupResourceSupports } from "../generated/schema.js";
import {
  BackupResourceGate,
  BackupResourceSupportsGate,
  CreateBackupResourceResultGate,
  TaskRefGate,
} from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import type { System } from "./platform.js";
import { parseId, type RequestOptions, type TaskRef } from "./request-options.js";
import { requireOperation } from "./version-gate.js";

/** Shortest and longest lock SCP grants (60 s to 2 h), in milliseconds. */
export const LOCK_TIME_LIMITS_MS = Object.freeze({ min: 60_000, max: 7_200_000 });

/** What to lock, for what, and for how long. */
export interface CreateBackupResourceInput {
  /** The VM to lock. */
  serverId: string;
  /** `backup`, or `restore` (the VM must be powered off). */
  type: "backup" | "restore";
  /** How long the lock holds unless renewed: whole seconds from 60 s to 2 h (SCP counts in seconds). */
  lockTimeMs: number;
  /** Preferred host (SCP 6.11.3); the platform uses it if it reaches all of the VM's disks. */
  hostId?: string;
}

/** A started backup resource. */
export interface CreateBackupResourceRef extends TaskRef {
  /** The resource's id (two UUIDs joined by a colon). */
  resourceId: string;
  /** The host the platform chose, when it said (SCP 6.11.3). */
  hostId: string | undefined;
}

/** A started release; `taskId` is undefined when SCP answered without one. */
export interface DeleteBackupResourceRef {
  /** The release task, when SCP sent one. */
  taskId: string | undefined;
}

const FEATURE = "backup resources";
const ONE = "/janus/20180725/backup-resources/{backup_resources_id}";
const LockTimeMs = z
  .number()
  .int()
  .min(LOCK_TIME_LIMITS_MS.min)
  .max(LOCK_TIME_LIMITS_MS.max)
  .refine((ms) => ms % 1000 === 0, "must be whole seconds (SCP counts the lock in seconds)");
const CreateInput = z.strictObject({
  serverId: ScpIdSchema,
  type: z.enum(["backup", "restore"]),
  lockTimeMs: LockTimeMs,
  hostId: ScpIdSchema.optional(),
});
const RenewInput = z.strictObject({ lockTimeMs: LockTimeMs });

/** Backup resources: the platform's lock on a VM for a backup or a restore, kept alive by renewing it. */
export class BackupResources {
  readonly #t: Transport;
  readonly #system: System;

  /** @internal */
  constructor(transport: Transport, system: System) {
    this.#t = transport;
    this.#system = system;
  }

  /** Starts locking a VM: one resource per VM at a time; it is deleted when its lock runs out. */
  async create(input: CreateBackupResourceInput, options?: RequestOptions): Promise<CreateBackupResourceRef> {
    const { serverId, type, lockTimeMs, hostId } = parseInput(CreateInput, input, "backup resource input");
    await requireOperation(this.#system, "createBackupResource", FEATURE, options);
    const body = { server_id: serverId, type, lock_time: lockTimeMs / 1000, ...(hostId ? { host_id: hostId } : {}) };
    const data = await this.#t.data(
      (init) => this.#t.http.POST("/janus/20180725/backup-resources", { body, ...init }),
      CreateBackupResourceResultGate,
      options,
    );
    return { taskId: data.task_id, resourceId: data.resource_id, hostId: data.host_id };
  }

  /**
   * Reads a resource with the whole seconds its lock has left (`remain_time`) and the host it runs on.
   * @throws {@link ScpNotFoundError} once it was released or its lock ran out.
   */
  async get(resourceId: string, options?: RequestOptions): Promise<BackupResource> {
    const backup_resources_id = parseId(resourceId, "backup resource id");
    await requireOperation(this.#system, "getBackupResource", FEATURE, options);
    const params = { path: { backup_resources_id } };
    return this.#t.data((init) => this.#t.http.GET(ONE, { params, ...init }), BackupResourceGate, options);
  }

  /** Starts renewing a resource's lock: it then holds for `lockTimeMs` from the end of the renewal's task. */
  async renew(resourceId: string, input: { lockTimeMs: number }, options?: RequestOptions): Promise<TaskRef> {
    const backup_resources_id = parseId(resourceId, "backup resource id");
    const { lockTimeMs } = parseInput(RenewInput, input, "backup resource renewal");
    await requireOperation(this.#system, "updateBackupResource", FEATURE, options);
    const params = { path: { backup_resources_id } };
    const body = { lock_time: lockTimeMs / 1000 };
    const data = await this.#t.data((init) => this.#t.http.PUT(ONE, { params, body, ...init }), TaskRefGate, options);
    return { taskId: data.task_id };
  }

  /** Starts releasing a resource and the VM's lock (a restore's release leaves the VM's CBT expired). */
  async delete(resourceId: string, options?: RequestOptions): Promise<DeleteBackupResourceRef> {
    const backup_resources_id = parseId(resourceId, "backup resource id");
    await requireOperation(this.#system, "deleteBackupResource", FEATURE, options);
    const params = { path: { backup_resources_id } };
    const data = await this.#t.maybe((init) => this.#t.http.DELETE(ONE, { params, ...init }), TaskRefGate, options);
    return { taskId: data?.task_id };
  }

  /** Reads the SDK versions and transport modes (`hotadd` from SCP 6.11.3) the platform offers for a VM. */
  async supports(serverId: string, options?: RequestOptions): Promise<BackupResourceSupports> {
    const server_id = parseId(serverId, "server id");
    await requireOperation(this.#system, "getBackupResourceSupports", FEATURE, options);
    const path = "/janus/20180725/backup-resources/supports";
    const params = { query: { server_id } };
    return this.#t.data((init) => this.#t.http.GET(path, { params, ...init }), BackupResourceSupportsGate, options);
  }
}
