import { type Page, powerStateValues, type Server } from "../generated/schema.js";
import type { Caller, SimServer } from "./model.js";
import { type PageRequest, pageOf, pagePositions, pageRequest, pageResult } from "./paging.js";
import { enumParam, interned, listParam, uuidParam } from "./request-body.js";
import { STORED_LIST_FIELDS, type StoredServer, storedSortKey } from "./server-store.js";
import { serverItem } from "./server-views.js";
import { sortByKey } from "./sorted-index.js";
import type { World } from "./world.js";

/** Filters that must equal a field, each read by its own accessor (a keyed read `s[k]` is many times slower). */
const EXACT_FIELDS: Readonly<Record<string, (s: SimServer) => string>> = {
  host_id: (s) => s.host_id,
  project_id: (s) => s.project_id,
  user_id: (s) => s.user_id,
  status: (s) => s.status,
  os_type: (s) => s.os_type,
};
/** The filters of `GET /janus/20240725/servers`, checked. */
interface ServerFilters {
  readonly azId: string | undefined;
  readonly powerState: string | undefined;
  readonly ids: ReadonlySet<string> | undefined;
  readonly vmIds: ReadonlySet<string> | undefined;
  /** `query_name`, in lower case. */
  readonly name: string | undefined;
  readonly ip: string | null;
  readonly exact: readonly (readonly [(s: SimServer) => string, string])[];
  /** The caller's project when the caller is a tenant (who sees its own VMs only). */
  readonly projectId: string | undefined;
}

/**
 * One page of the VM list. The pool, the caller's project and the recycle bin are checked in the store's flat
 * arrays; other filters read the stored VM; sorted orders are the store's; only the page's VMs get a wire view.
 */
export function serverPage(
  world: World,
  caller: Caller,
  query: URLSearchParams,
  nowMs: number,
): Page & { data: Server[] } {
  const filters = parseFilters(query, caller);
  const request = pageRequest(query);
  const view = (server: SimServer) => serverItem(world, server, nowMs);
  const field = request.sortField;
  const named = namedCandidates(world, filters);
  const kept = named === undefined && field !== undefined ? world.servers.sortedBy(field) : undefined;
  if (named !== undefined || (field !== undefined && kept === undefined)) {
    // A few named VMs, or a field no order is kept for (power, status): collect every match, sort them now.
    const matches: SimServer[] = [];
    if (named === undefined) {
      scan(world, filters, undefined, (stored) => matches.push(stored.server));
    } else {
      matches.push(...named.filter((stored) => passes(stored, filters)).map((stored) => stored.server));
    }
    return pageOf(field === undefined ? matches : sortByKey(matches, sortKey(world, field, nowMs)), request, view);
  }
  const { total, page } = collectPage(world, filters, request, kept?.seqs);
  return pageResult(request, total, page.map(view));
}

/** Visits the matching VMs in the order of `seqs` (insertion order when undefined). */
function scan(
  world: World,
  f: ServerFilters,
  seqs: readonly number[] | undefined,
  visit: (stored: StoredServer) => void,
): void {
  const { servers } = world;
  const pool = f.azId === undefined ? undefined : servers.code(f.azId);
  const project = f.projectId === undefined ? undefined : servers.code(f.projectId);
  // Without filters on the VM itself, the flat arrays decide: the VM's object is read only to be shown.
  const onObject = f.powerState !== undefined || f.name !== undefined || f.ip !== null || f.exact.length > 0;
  servers.scan(seqs, pool, project, (seq) => {
    const stored = servers.atSeq(seq) as StoredServer;
    if (!onObject || passes(stored, f)) {
      visit(stored);
    }
  });
}

/**
 * The matches in a page's positions, in page order, and how many match in all. Only the page is collected:
 * an array of 20,000 matches per request cost more than the matching.
 */
function collectPage(world: World, filters: ServerFilters, request: PageRequest, seqs: readonly number[] | undefined) {
  let total = 0;
  if (request.descending) {
    scan(world, filters, seqs, () => total++);
  }
  const { from, to } = pagePositions(request, request.descending ? total : undefined);
  const page: SimServer[] = [];
  let position = 0;
  scan(world, filters, seqs, (stored) => {
    if (position >= from && position < to) {
      page.push(stored.server);
    }
    position++;
  });
  return { total: position, page: request.descending ? page.reverse() : page };
}

function parseFilters(query: URLSearchParams, caller: Caller): ServerFilters {
  const ids = listParam(query, "ids");
  const vmIds = listParam(query, "vm_ids");
  return {
    azId: uuidParam(query, "az_id"),
    powerState: enumParam(query, "power_state", powerStateValues),
    ids: ids && new Set(ids),
    vmIds: vmIds && new Set(vmIds),
    name: query.get("query_name")?.toLowerCase(),
    ip: query.get("query_ip"),
    exact: Object.entries(EXACT_FIELDS)
      .filter(([k]) => query.has(k))
      .map(([k, read]) => [read, interned(query.get(k) ?? "")] as const),
    projectId: caller.roleType === "admin" ? undefined : caller.projectId,
  };
}

/**
 * True when the stored VM passes every filter (and the caller may see it). Plain checks on the stored record,
 * cheapest first: this runs for every VM of the platform on an unindexed list.
 */
function passes({ server: s, lowerName }: StoredServer, f: ServerFilters): boolean {
  if (s.recycled || (f.projectId !== undefined && s.project_id !== f.projectId)) {
    return false;
  }
  if ((f.azId !== undefined && s.az_id !== f.azId) || (f.ids !== undefined && !f.ids.has(s.id))) {
    return false;
  }
  if (f.powerState !== undefined && (s.runningSinceMs === undefined ? "off" : "on") !== f.powerState) {
    return false;
  }
  if ((f.vmIds !== undefined && !f.vmIds.has(s.vm_id)) || (f.name !== undefined && !lowerName.includes(f.name))) {
    return false;
  }
  const ip = f.ip;
  if (ip !== null && !s.networks.some((n) => !!n.ip_address && n.ip_address.includes(ip))) {
    return false;
  }
  for (const [read, value] of f.exact) {
    if (read(s) !== value) {
      return false;
    }
  }
  return true;
}

/** The VMs `ids` (or else `vm_ids`) name, in insertion order; undefined when neither is given. */
function namedCandidates(world: World, f: ServerFilters): StoredServer[] | undefined {
  const { servers } = world;
  const found =
    f.ids !== undefined
      ? [...f.ids].map((id) => servers.stored(id))
      : f.vmIds !== undefined
        ? [...f.vmIds].map((vmId) => servers.byVmId(vmId))
        : undefined;
  return found?.filter((s): s is StoredServer => s !== undefined).sort((a, b) => a.seq - b.seq);
}

/** The sort key of a VM: the list field as text, read from the stored VM when the wire value is the same. */
function sortKey(world: World, field: string, nowMs: number): (server: SimServer) => string {
  if (STORED_LIST_FIELDS.has(field)) {
    return (s) => storedSortKey(s, field);
  }
  if (field === "power_state" || field === "is_stopped") {
    const [running, stopped] = field === "power_state" ? ["on", "off"] : ["0", "1"];
    return (s) => (s.runningSinceMs === undefined ? stopped : running);
  }
  return (s) => String((serverItem(world, s, nowMs) as unknown as Record<string, unknown>)[field] ?? "");
}
