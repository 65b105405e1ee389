import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors/workflow.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { ServerListQuery } from "../resources/servers.js";
import type { Server } from "../types.js";
import { parseClient } from "../validate.js";
import { parseMarker } from "./marker.js";

/** Largest page SCP serves. */
const PAGE_SIZE = 100;
/** Reads of a multi-page list before giving up on two agreeing. */
const MAX_PASSES = 5;

/** The start every proxy name of the fleet shares: `<fleetId>-`. @internal */
export function fleetNamePrefix(fleetId: string): string {
  return `${fleetId}-`;
}

interface Pass {
  items: Server[];
  /** Every page agreed on the total, the items add up to it, and no VM came twice. */
  whole: boolean;
  pages: number;
}

/** Reads every page of a filtered list once; the page count comes from the first total, so paging is bounded. */
async function readPass(scp: ScpClient, query: ServerListQuery, options: RequestOptions): Promise<Pass> {
  const first = await scp.servers.list({ ...query, page_size: PAGE_SIZE, page_num: 0 }, options);
  const pages = Math.max(1, Math.ceil(first.totalSize / PAGE_SIZE));
  const items = [...first.items];
  let whole = true;
  for (let pageNum = 1; pageNum < pages; pageNum++) {
    const page = await scp.servers.list({ ...query, page_size: PAGE_SIZE, page_num: pageNum }, options);
    whole &&= page.totalSize === first.totalSize;
    items.push(...page.items);
  }
  whole &&= items.length === first.totalSize && new Set(items.map((s) => s.id)).size === items.length;
  return { items, whole, pages };
}

const idsOf = (items: readonly Server[]) => [...items.map((s) => s.id)].sort().join(",");

/**
 * Reads a filtered VM list as one consistent snapshot. One page is one answer, so it is consistent as it is; a
 * list of several pages can shift while it is read (a VM deleted between pages makes the next page skip one), so
 * it is read again until two whole passes agree.
 * @throws {@link ScpStateError} when the list keeps changing for {@link MAX_PASSES} reads.
 * @internal
 */
export async function readConsistently(
  scp: ScpClient,
  query: ServerListQuery,
  options: RequestOptions,
): Promise<Server[]> {
  let previous: Pass | undefined;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const current = await readPass(scp, query, options);
    if (current.whole && (current.pages === 1 || (previous?.whole && idsOf(previous.items) === idsOf(current.items)))) {
      return current.items;
    }
    previous = current;
  }
  throw new ScpStateError({
    resource: `VM list ${JSON.stringify(query)}`,
    expected: "to hold still for two reads",
    actual: `it changed on each of ${MAX_PASSES} reads; try again`,
  });
}

/**
 * Reads the VMs named like the fleet's proxies (`query_name` on the fleet's name prefix: the cost follows the
 * fleet, not the platform), consistently. They include look-alikes without the fleet's marker, whose names the
 * plan must not reuse; `ownedBy` picks the fleet's own. A proxy renamed away from the prefix is not found here.
 * @internal
 */
export async function readFleetServers(scp: ScpClient, fleetId: string, options: RequestOptions): Promise<Server[]> {
  // The first use of the caller's client by destroyBackupProxyFleet and findBackupProxies: a non-client is refused
  // here, typed and unsent, rather than failing on its first property read.
  parseClient(scp, "fleet client");
  const prefix = fleetNamePrefix(fleetId);
  const named = await readConsistently(scp, { query_name: prefix }, options);
  // `query_name` matches anywhere in the name and may ignore case: keep exact prefixes only.
  return named.filter((s) => s.name.startsWith(prefix));
}

/** True when the VM carries this fleet's ownership marker. @internal */
export function ownedBy(fleetId: string): (server: Server) => boolean {
  return (server) => parseMarker(server.description)?.fleetId === fleetId;
}

/** Every VM in the pool named exactly `name` (ours or not), read right before a create. @internal */
export async function findByName(
  scp: ScpClient,
  azId: string,
  name: string,
  options: RequestOptions = {},
): Promise<Server[]> {
  const listed = await readConsistently(scp, { az_id: azId, query_name: name }, options);
  return listed.filter((s) => s.name === name);
}
