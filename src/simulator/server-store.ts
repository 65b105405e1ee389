import type { SimServer } from "./model.js";
import { SortedIndex } from "./sorted-index.js";

/** What a VM edit (`PUT …/servers/{id}`) may change. */
export type EditableServerFields = Partial<
  Pick<SimServer, "name" | "description" | "cores" | "sockets" | "memory_mb" | "os_type" | "os_name">
>;

/**
 * List fields a sorted order is kept for: the VM's own fields that change only through {@link ServerStore.update}
 * (power, status and vmtools change all the time, and are sorted per request instead).
 */
const KEPT_SORTED: ReadonlySet<string> = new Set([
  ...["id", "vm_id", "name", "description", "created_at", "az_id", "host_id", "project_id", "user_id"],
  ...["cores", "sockets", "memory_mb", "os_type", "os_name", "image_id", "storage_tag_id", "storage_id"],
  ...["type", "vmtype"],
]);

/** A stored VM with what lists match and order it by. */
export interface StoredServer {
  /** The VM. */
  readonly server: SimServer;
  /** Insertion number: the order of an unsorted list. */
  readonly seq: number;
  /** Its name in lower case, for `query_name`. */
  lowerName: string;
}

/**
 * The VMs, indexed for lists at platform scale: by id, by numeric id, by pool (in insertion order), and a
 * sorted order per sort field, built on the first sort by that field and kept up to date on every add, delete
 * and edit. Fields listed in {@link EditableServerFields} must change through `update`, or the orders go stale.
 */
export class ServerStore {
  readonly #byId = new Map<string, StoredServer>();
  readonly #byVmId = new Map<string, StoredServer>();
  readonly #byPool = new Map<string, Set<StoredServer>>();
  readonly #sorted = new Map<string, SortedIndex<StoredServer>>();
  #seq = 0;

  /** The VM with this id. */
  get(id: string): SimServer | undefined {
    return this.#byId.get(id)?.server;
  }

  /** Every VM, in insertion order. */
  *values(): IterableIterator<SimServer> {
    for (const stored of this.#byId.values()) {
      yield stored.server;
    }
  }

  /** Adds a new VM (at the end of the insertion order). */
  add(server: SimServer): void {
    if (this.#byId.has(server.id)) {
      throw new Error(`VM ${server.id} is already stored`);
    }
    const stored = { server, seq: this.#seq++, lowerName: server.name.toLowerCase() };
    this.#byId.set(server.id, stored);
    this.#byVmId.set(server.vm_id, stored);
    this.#poolOf(server.az_id).add(stored);
    for (const index of this.#sorted.values()) {
      index.insert(stored, stored.seq);
    }
  }

  /** Removes a VM for good; false when it is not stored. */
  delete(id: string): boolean {
    const stored = this.#byId.get(id);
    if (!stored) {
      return false;
    }
    this.#byId.delete(id);
    this.#byVmId.delete(stored.server.vm_id);
    this.#byPool.get(stored.server.az_id)?.delete(stored);
    for (const index of this.#sorted.values()) {
      index.remove(stored);
    }
    return true;
  }

  /** Applies an edit, moving the VM in every sorted order whose key it changes. */
  update(server: SimServer, changes: EditableServerFields): void {
    Object.assign(server, changes);
    const stored = this.#byId.get(server.id);
    if (stored?.server !== server) {
      return;
    }
    stored.lowerName = server.name.toLowerCase();
    for (const [field, index] of this.#sorted) {
      if (field in changes) {
        index.rekey(stored);
      }
    }
  }

  /** Every stored VM, in insertion order. */
  all(): Iterable<StoredServer> {
    return this.#byId.values();
  }

  /** The stored VM with this id. */
  stored(id: string): StoredServer | undefined {
    return this.#byId.get(id);
  }

  /** The stored VM with this numeric HCI id. */
  byVmId(vmId: string): StoredServer | undefined {
    return this.#byVmId.get(vmId);
  }

  /** The VMs of a pool, in insertion order. */
  inPool(azId: string): Iterable<StoredServer> {
    return this.#byPool.get(azId) ?? [];
  }

  /** The VMs in ascending order of list field `field`; undefined for fields sorted per request. */
  sortedBy(field: string): SortedIndex<StoredServer> | undefined {
    if (!KEPT_SORTED.has(field)) {
      return undefined;
    }
    let index = this.#sorted.get(field);
    if (!index) {
      const key = (stored: StoredServer) => String((stored.server as unknown as Record<string, unknown>)[field] ?? "");
      index = new SortedIndex(
        key,
        [...this.#byId.values()].map((stored) => ({ item: stored, seq: stored.seq })),
      );
      this.#sorted.set(field, index);
    }
    return index;
  }

  #poolOf(azId: string): Set<StoredServer> {
    let pool = this.#byPool.get(azId);
    if (!pool) {
      pool = new Set();
      this.#byPool.set(azId, pool);
    }
    return pool;
  }
}
