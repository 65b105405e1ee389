import { z } from "zod";
import { ScpResponseError } from "../errors/call.js";
import type { HotAddDisksRequest, ServerDisksActionRequest } from "../generated/schema.js";
import type { HotAddDiskInput, HotAddedDisk, ScpHotAddWire } from "../options.js";
import { AnyGate, ServerConfigGate, TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { DEFAULT_HOT_ADD_WIRE } from "./hot-add-wire.js";
import type { System } from "./platform.js";
import { parseId, type RequestOptions, type TaskRef } from "./request-options.js";
import { requireOperation } from "./version-gate.js";

/** A started hot-add, with the disks as the proxy will see them. */
export interface HotAddRef extends TaskRef {
  /** The disks attached (listed on the proxy at once; in its guest after the task ends, sometimes a little later). */
  disks: HotAddedDisk[];
}

const FEATURE = "hot-add (HotAdd transport)";
const DiskInputs = z
  .array(
    z
      .strictObject({
        serverId: ScpIdSchema,
        diskId: ScpIdSchema,
        snapshotId: ScpIdSchema.optional(),
        application: z.enum(["backup", "restore"]),
      })
      .refine((d) => (d.application === "backup") === (d.snapshotId !== undefined), {
        message: "a backup hot-adds a snapshot's disk (give snapshotId); a restore the real disk (give none)",
      }),
  )
  .min(1, "must name at least one disk");
const ProxyDiskIds = z.array(ScpIdSchema).min(1, "must name at least one disk");
// The typed paths stand for whatever path the wire names: openapi-fetch fills `{server_id}` in either.
type AttachPath = "/janus/20240725/servers/{server_id}/disks";
type DetachPath = "/janus/20240725/servers/{server_id}/disks/action";

/**
 * Hot-adding disks of protected VMs to backup proxies (SCP 6.11.3): a linked clone of a snapshot's disk for a
 * backup, the VM's real disk for a restore. The wire is inferred; a client's `hotAdd` option overrides it.
 */
export class HotAdd {
  readonly #t: Transport;
  readonly #system: System;
  readonly #wire: ScpHotAddWire;

  /** @internal */
  constructor(transport: Transport, system: System, wire: Partial<ScpHotAddWire> = {}) {
    this.#t = transport;
    this.#system = system;
    this.#wire = { ...DEFAULT_HOT_ADD_WIRE, ...wire };
  }

  /** Starts hot-adding disks to a running backup proxy in their VMs' pool. */
  async attach(proxyId: string, disks: readonly HotAddDiskInput[], options?: RequestOptions): Promise<HotAddRef> {
    const server_id = parseId(proxyId, "proxy id");
    const wanted = parseInput(DiskInputs, disks, "disks to hot-add") as HotAddDiskInput[];
    await requireOperation(this.#system, "createServerDisks20240725", FEATURE, options);
    const path = this.#wire.attachPath as AttachPath;
    const body = this.#wire.attachBody(wanted) as HotAddDisksRequest;
    const data = await this.#t.data(
      (init) => this.#t.http.POST(path, { params: { path: { server_id } }, body, ...init }),
      AnyGate,
      options,
    );
    const answer = this.#readAnswer(data, path);
    const added = answer.disks.map((d, i) => ({ ...d, application: d.application ?? wanted[i]?.application }));
    return { taskId: answer.taskId, disks: added };
  }

  /** Starts removing disks hot-added to a proxy, by their proxy-side ids; remove them before deleting their snapshot. */
  async detach(proxyId: string, proxyDiskIds: readonly string[], options?: RequestOptions): Promise<TaskRef> {
    const server_id = parseId(proxyId, "proxy id");
    const ids = parseInput(ProxyDiskIds, proxyDiskIds, "hot-added disk ids");
    await requireOperation(this.#system, "serverDisksAction20240725", FEATURE, options);
    const path = this.#wire.detachPath as DetachPath;
    const body = this.#wire.detachBody(ids) as ServerDisksActionRequest;
    const data = await this.#t.data(
      (init) => this.#t.http.POST(path, { params: { path: { server_id } }, body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Lists the disks hot-added to a proxy, from its configuration. */
  async attached(proxyId: string, options?: RequestOptions): Promise<HotAddedDisk[]> {
    const server_id = parseId(proxyId, "proxy id");
    const config = await this.#t.data(
      (init) => this.#t.http.GET("/janus/20240725/servers/{server_id}", { params: { path: { server_id } }, ...init }),
      ServerConfigGate,
      options,
    );
    return this.#wire.readAttached(config);
  }

  #readAnswer(data: unknown, path: string): { taskId: string; disks: HotAddedDisk[] } {
    try {
      return this.#wire.readAttachAnswer(data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ScpResponseError({ method: "POST", path, status: 200, issues: [{ path: ["data"], message }] });
    }
  }
}
