import type { SimServer } from "./model.js";
import { SortedIndex } from "./sorted-index.js";

/** What a VM edit (`PUT …/servers/{id}`) may change. */
export type EditableServerFields = Partial<
  Pick<SimServer, "name" | "description" | "cores" | "sockets" | "memory_mb" | "os_type" | "os_name">
>;

/** List fields whose wire value is the stored VM's own field: sorting by them needs no wire view. */
export const STORED_LIST_FIELDS: ReadonlySet<string> = new Set([
  ...["id", "vm_id", "name", "description", "created_at", "az_id", "host_id", "project_id", "user_id"],
  ...["cores", "sockets", "memory_mb", "os_type", "os_name", "image_id", "storage_tag_id", "storage_id"],
  ...["type", "vmtype", "os_installed", "status", "vtool_installed"],
]);
/**
 * Of those, the ones power changes and vmtools change all the time: sorted per request. A sorted order is kept
 * for the others, which change only through {@link ServerStore.update}.
 */
const SORTED_PER_REQUEST: ReadonlySet<string> = new Set(["status", "vtool_installed"]);

/** A stored VM with what lists match and order it by. */
export interface StoredServer {
  /** The VM. */
  readonly server: SimServer;
  /** Insertion number: the order of an unsorted list. */
  readonly seq: number;
  /** Its name in lower case, for `query_name`. */
  lowerName: string;
}

/** The text of stored list field `field` of a VM, as sorting compares it. */
export function storedSortKey(server: SimServer, field: string): string {
  return String((server as unknown as Record<string, unknown>)[field] ?? "");
}

/**
 * The VMs, indexed for lists at platform scale: by id, by numeric id, by insertion number, a sorted order per
 * sort field (built on the first sort by it, then kept up to date on every add, delete and edit), and flat
 * arrays of what every list checks first (listed, pool, project), so a scan of 20,000 VMs reads a few
 * kilobytes in order instead of 20,000 objects. The fields of {@link EditableServerFields} must change through
 * `update`, and a VM goes to the recycle bin through `recycle`, or the indexes go stale.
 */
export class ServerStore {
  readonly #byId = new Map<string, StoredServer>();
  readonly #byVmId = new Map<string, StoredServer>();
  readonly #bySeq: (StoredServer | undefined)[] = [];
  readonly #sorted = new Map<string, SortedIndex>();
  /** Small numbers for pool and project ids, as the flat arrays hold them. */
  readonly #codes = new Map<string, number>();
  #listed = new Uint8Array(1024);
  #pool = new Int32Array(1024);
  #project = new Int32Array(1024);

  /** The VM with this id. */
  get(id: string): SimServer | undefined {
    return this.#byId.get(id)?.server;
  }

  /** Every VM, recycled ones included, in insertion order. */
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
    const stored = { server, seq: this.#bySeq.length, lowerName: server.name.toLowerCase() };
    this.#byId.set(server.id, stored);
    this.#byVmId.set(server.vm_id, stored);
    this.#bySeq.push(stored);
    this.#grow(stored.seq + 1);
    this.#listed[stored.seq] = server.recycled ? 0 : 1;
    this.#pool[stored.seq] = this.#assignCode(server.az_id);
    this.#project[stored.seq] = this.#assignCode(server.project_id);
    for (const [field, index] of this.#sorted) {
      index.insert(storedSortKey(server, field), stored.seq);
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
    this.#bySeq[stored.seq] = undefined;
    this.#listed[stored.seq] = 0;
    for (const index of this.#sorted.values()) {
      index.remove(stored.seq);
    }
    return true;
  }

  /** Moves a VM to the recycle bin: kept, but gone from every list. */
  recycle(server: SimServer): void {
    server.recycled = true;
    const stored = this.#byId.get(server.id);
    if (stored?.server === server) {
      this.#listed[stored.seq] = 0;
    }
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
        index.rekey(stored.seq, storedSortKey(server, field));
      }
    }
  }

  /** The stored VM with this id. */
  stored(id: string): StoredServer | undefined {
    return this.#byId.get(id);
  }

  /** The stored VM with this numeric HCI id. */
  byVmId(vmId: string): StoredServer | undefined {
    return this.#byVmId.get(vmId);
  }

  /** The stored VM with this insertion number (undefined once deleted). */
  atSeq(seq: number): StoredServer | undefined {
    return this.#bySeq[seq];
  }

  /** The small number of a pool or project id; −1 (matching nothing) for one no VM ever had. */
  code(id: string): number {
    return this.#codes.get(id) ?? -1;
  }

  /**
   * Calls `visit` with the insertion number of every listed VM (stored, not recycled) in pool `pool` and
   * project `project` (codes; undefined for any), in the order of `seqs` (insertion order when undefined).
   */
  scan(
    seqs: readonly number[] | undefined,
    pool: number | undefined,
    project: number | undefined,
    visit: (seq: number) => void,
  ): void {
    const listed = this.#listed;
    const pools = this.#pool;
    const projects = this.#project;
    const count = seqs === undefined ? this.#bySeq.length : seqs.length;
    for (let i = 0; i < count; i++) {
      const seq = seqs === undefined ? i : (seqs[i] as number);
      if (
        listed[seq] === 1 &&
        (pool === undefined || pools[seq] === pool) &&
        (project === undefined || projects[seq] === project)
      ) {
        visit(seq);
      }
    }
  }

  /** The insertion numbers in ascending order of list field `field`; undefined for fields sorted per request. */
  sortedBy(field: string): SortedIndex | undefined {
    if (!STORED_LIST_FIELDS.has(field) || SORTED_PER_REQUEST.has(field)) {
      return undefined;
    }
    let index = this.#sorted.get(field);
    if (!index) {
      index = new SortedIndex([...this.#byId.values()].map((s) => [storedSortKey(s.server, field), s.seq] as const));
      this.#sorted.set(field, index);
    }
    return index;
  }

  #assignCode(id: string): number {
    const code = this.#codes.get(id) ?? this.#codes.size;
    this.#codes.set(id, code);
    return code;
  }

  #grow(size: number): void {
    if (size <= this.#listed.length) {
      return;
    }
    const capacity = Math.max(size, this.#listed.length * 2);
    const grown = <T extends Uint8Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.#listed = grown(this.#listed, new Uint8Array(capacity));
    this.#pool = grown(this.#pool, new Int32Array(capacity));
    this.#project = grown(this.#project, new Int32Array(capacity));
  }
}
