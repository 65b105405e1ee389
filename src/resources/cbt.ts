import { z } from "zod";
import { ScpApiError } from "../errors/api.js";
import { CBT_EXPIRED_TEXT, ScpCbtExpiredError } from "../errors/session.js";
import type { CbtInfo, ChangedAreas } from "../generated/schema.js";
import { CbtInfoGate, ChangedAreasGate, TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { type ChangedArea, type ChangedAreasQuery, listChangedAreas } from "./changed-areas.js";
import type { System } from "./platform.js";
import { parseId, type RequestOptions, type TaskRef } from "./request-options.js";
import { requireOperation } from "./version-gate.js";

/** Which areas of which disk to list, to the disk's end. */
export interface ChangedAreasInput {
  /** The disk, by its id in the VM's configuration. */
  diskId: string;
  /** The snapshot whose disk is mapped. */
  snapshotId: string;
  /** 0 for every allocated area (a full); else the checkpoint an incremental starts from. */
  checkpointId: number;
  /** The disk's size: listing goes on until the answers cover it. */
  diskSizeBytes: number;
  /** Where to start. @defaultValue 0 */
  startOffset?: number;
}

const FEATURE = "changed block tracking";
const STATUS = "/janus/20180725/servers/{server_id}/cbt/status";

const AREAS = "/janus/20180725/servers/{server_id}/cbt/changed-areas";
const DiskIds = z.array(ScpIdSchema).min(1, "must name at least one disk").optional();
const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Query = z.strictObject({
  disk_id: ScpIdSchema,
  snapshot_id: ScpIdSchema,
  checkpoint_id: bytes,
  start_offset: bytes,
});
const Input = z
  .strictObject({
    diskId: ScpIdSchema,
    snapshotId: ScpIdSchema,
    checkpointId: bytes,
    diskSizeBytes: bytes.min(1),
    startOffset: bytes.optional(),
  })
  .refine((i) => (i.startOffset ?? 0) < i.diskSizeBytes, {
    message: "must be below diskSizeBytes",
    path: ["startOffset"],
  });

/** Turns SCP's "CBT expired" refusal into {@link ScpCbtExpiredError}; the one place it is recognised. */
async function mapExpired<T>(serverId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ScpApiError && error.serverMessage.trim() === CBT_EXPIRED_TEXT) {
      const { status, code, serverMessage, method, path, requestId, serverRequestId, outcome } = error;
      const init = { status, code, serverMessage, method, path, requestId, serverRequestId, outcome, serverId };
      throw new ScpCbtExpiredError(init);
    }
    throw error;
  }
}

/** Changed block tracking: per-disk state, and the changed (or allocated) areas of a snapshot's disks. */
export class Cbt {
  readonly #t: Transport;
  readonly #system: System;

  /** @internal */
  constructor(transport: Transport, system: System) {
    this.#t = transport;
    this.#system = system;
  }

  /** Reads whether CBT is on, for the VM and each disk. */
  async status(serverId: string, options?: RequestOptions): Promise<CbtInfo> {
    const server_id = parseId(serverId, "server id");
    await requireOperation(this.#system, "getServerCBTInfo", FEATURE, options);
    return this.#t.data(
      (init) => this.#t.http.GET(STATUS, { params: { path: { server_id } }, ...init }),
      CbtInfoGate,
      options,
    );
  }

  /** Starts turning CBT on for these disks (every disk when none are given); it costs some write performance. */
  enable(serverId: string, diskIds?: readonly string[], options?: RequestOptions): Promise<TaskRef> {
    return this.#change(serverId, "enable", diskIds, options);
  }

  /** Starts turning CBT off for these disks (every disk when none are given). */
  disable(serverId: string, diskIds?: readonly string[], options?: RequestOptions): Promise<TaskRef> {
    return this.#change(serverId, "disable", diskIds, options);
  }

  /** Starts resetting CBT on every tracked disk: clears the expired state; the next backup must be a full. */
  reset(serverId: string, options?: RequestOptions): Promise<TaskRef> {
    return this.#change(serverId, "reset", undefined, options);
  }

  async #change(
    serverId: string,
    type: "enable" | "disable" | "reset",
    diskIds: readonly string[] | undefined,
    options: RequestOptions | undefined,
  ): Promise<TaskRef> {
    const server_id = parseId(serverId, "server id");
    const disk_ids = parseInput(DiskIds, diskIds, "disk ids");
    await requireOperation(this.#system, "updateServerCBTStatus", FEATURE, options);
    const body = disk_ids ? { type, disk_ids } : { type };
    const data = await this.#t.data(
      (init) => this.#t.http.PUT(STATUS, { params: { path: { server_id } }, body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /**
   * Reads one answer of a snapshot disk's changed areas: the part of the disk it covers and the areas in it.
   * @throws {@link ScpCbtExpiredError} when the VM's CBT expired (reset it, then take a full).
   */
  async changedAreasPage(serverId: string, query: ChangedAreasQuery, options?: RequestOptions): Promise<ChangedAreas> {
    const server_id = parseId(serverId, "server id");
    const q = parseInput(Query, query, "changed-areas query");
    await requireOperation(this.#system, "getServerCBTChangedAreas", FEATURE, options);
    return mapExpired(server_id, () =>
      this.#t.data(
        (init) => this.#t.http.GET(AREAS, { params: { path: { server_id }, query: q }, ...init }),
        ChangedAreasGate,
        options,
      ),
    );
  }

  /**
   * Lists a snapshot disk's changed areas (with checkpoint 0: its allocated areas) to the disk's end, an answer at
   * a time: each asks from where the last one's covered part ended, and an answer with no areas never ends the
   * listing alone. Areas that touch (one cut at an answer's end) come out joined.
   * @throws {@link ScpResponseError} when an answer does not move forward or reaches past the disk's end;
   * {@link ScpCbtExpiredError} when the VM's CBT expired.
   */
  changedAreas(
    serverId: string,
    input: ChangedAreasInput,
    options?: RequestOptions,
  ): AsyncGenerator<ChangedArea, void, undefined> {
    const checked = parseInput(Input, input, "changed areas input");
    return listChangedAreas((query) => this.changedAreasPage(serverId, query, options), checked);
  }
}
