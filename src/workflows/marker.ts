import { createHash } from "node:crypto";

/** The `os_name` that makes SCP treat a VM as a backup proxy. */
export const BACKUP_PROXY_OS_NAME = "Backup Proxy";

/** The ownership marker every fleet VM carries in its description from its create request on. */
export interface ProxyMarker {
  /** Fleet the VM belongs to. */
  fleetId: string;
  /** Image it was created from. */
  imageId: string;
  /** When the create request was sent (ISO 8601). */
  createdAt: string;
  /** First 12 hex of the SHA-256 of the init script that ran in it; undefined until one ran. */
  initDigest: string | undefined;
}

const TAG = "scp-sdk-proxy/1";
const MARKER = /scp-sdk-proxy\/1 fleet=([a-z0-9-]+) image=(\S+) created=(\S+) init=([0-9a-f]{12}|-)/;

/** Fleet ids become part of VM names and markers: lower-case letters, digits and dashes. */
export const FLEET_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;

/** Writes the marker as a VM description. @internal */
export function formatMarker(marker: ProxyMarker): string {
  return `${TAG} fleet=${marker.fleetId} image=${marker.imageId} created=${marker.createdAt} init=${marker.initDigest ?? "-"}`;
}

/** Reads the marker out of a VM description; undefined when there is none (the VM is not ours). @internal */
export function parseMarker(description: string | undefined): ProxyMarker | undefined {
  const match = description ? MARKER.exec(description) : null;
  if (!match) {
    return undefined;
  }
  const [, fleetId, imageId, createdAt, init] = match as unknown as [string, string, string, string, string];
  return { fleetId, imageId, createdAt, initDigest: init === "-" ? undefined : init };
}

/** Short digest of an init script, recorded once it ran. @internal */
export function scriptDigest(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex").slice(0, 12);
}

/** The deterministic name of a fleet's proxy: `<fleetId>-<first 8 of the pool id>-<slot>`. @internal */
export function proxyName(fleetId: string, azId: string, slot: number): string {
  return `${fleetId}-${azId.replace(/-/g, "").slice(0, 8)}-${String(slot).padStart(2, "0")}`;
}

/** The slot number in a proxy's name, or undefined when the name is not one of ours for that pool. @internal */
export function slotOf(name: string, fleetId: string, azId: string): number | undefined {
  const prefix = proxyName(fleetId, azId, 0).slice(0, -2);
  const rest = name.startsWith(prefix) ? name.slice(prefix.length) : "";
  return /^\d{2,}$/.test(rest) ? Number(rest) : undefined;
}
