// A naive VM list, written from the list's documented rules and nothing of the simulator's indexes: filter every
// VM of a state snapshot, stable-sort by the field's text (numbers compared as numbers), reverse for DESC, slice.
import type { ScpSimulatorState, ServerState } from "../../src/simulator/index.js";

/** Who lists: an administrator sees every VM, a tenant its project's. */
export interface Viewer {
  readonly admin: boolean;
  readonly projectId: string;
}

const EXACT = ["host_id", "project_id", "user_id", "status", "os_type"] as const;

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function passes(s: ServerState, q: Readonly<Record<string, string>>, viewer: Viewer): boolean {
  const ids = list(q.ids);
  const vmIds = list(q.vm_ids);
  return (
    !s.recycled &&
    (viewer.admin || s.project_id === viewer.projectId) &&
    (q.az_id === undefined || s.az_id === q.az_id) &&
    (q.power_state === undefined || s.power_state === q.power_state) &&
    (ids === undefined || ids.includes(s.id)) &&
    (vmIds === undefined || vmIds.includes(s.vm_id ?? "")) &&
    (q.query_name === undefined || s.name.toLowerCase().includes(q.query_name.toLowerCase())) &&
    (q.query_ip === undefined || (s.ips ?? []).some((ip) => ip.includes(q.query_ip ?? ""))) &&
    EXACT.every((k) => q[k] === undefined || String(s[k]) === q[k])
  );
}

/** The page the list should answer for `query`, from a snapshot taken at the same clock time. */
export function referencePage(state: ScpSimulatorState, query: Readonly<Record<string, string>>, viewer: Viewer) {
  const matches = state.servers.filter((s) => passes(s, query, viewer));
  const field = query.sort?.split(",")[0]?.trim();
  const key = (s: ServerState) => String((s as unknown as Record<string, unknown>)[field ?? ""] ?? "");
  const sorted = field ? [...matches].sort((a, b) => key(a).localeCompare(key(b), "en", { numeric: true })) : matches;
  const ordered = query.order_by === "DESC" ? [...sorted].reverse() : sorted;
  const pageNum = Number(query.page_num ?? 0);
  const pageSize = Number(query.page_size ?? 100);
  const start = pageNum * pageSize;
  return {
    total_size: ordered.length,
    next_page_num: start + pageSize < ordered.length ? String(pageNum + 1) : "",
    ids: ordered.slice(start, start + pageSize).map((s) => s.id),
  };
}

/** A small seeded generator (mulberry32), so a failing sequence of operations can be replayed. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
