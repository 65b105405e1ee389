// The SDK runs these checks inside openBackupSession but has no read-only call for them yet, so `backup check` makes
// them here from public reads, in the same words. test/cli/scp-proxy-backup.test.ts holds the two to the same answer
// for every VM of the simulator's backup lab; once the SDK exports its check, this file becomes a call to it.
import {
  BACKUP_PROXY_OS_NAME,
  type CbtInfo,
  type ScpCheck,
  type ScpClient,
  ScpPreflightError,
  type SelectedBackupProxy,
  type Server,
  type ServerConfig,
  type SnapshotListItem,
  selectBackupProxy,
} from "../../index.js";

/** What the checks read about the VM (all reads). */
interface Target {
  server: Server;
  config: ServerConfig;
  snapshots: SnapshotListItem[];
  cbt: CbtInfo;
  busy: number;
}

/** What `backup check` found: every check, the warnings, and the proxy a session would use. */
export interface BackupCheckResult {
  serverId: string;
  sinceCheckpointId: number;
  checks: ScpCheck[];
  warnings: string[];
  proxy: SelectedBackupProxy;
}

const WORKFLOW = "backup check";

function check(name: string, ok: boolean, detail: string): ScpCheck {
  return { name, ok, detail: ok ? "ok" : detail };
}

async function readTarget(scp: ScpClient, serverId: string, req: { signal: AbortSignal }): Promise<Target> {
  const server = await scp.servers.find(serverId, req);
  if (!server) {
    throw new ScpPreflightError({ workflow: WORKFLOW, checks: [check("the VM exists", false, `no VM ${serverId}`)] });
  }
  if (server.type !== undefined && server.type !== "hci") {
    // The platform refuses snapshot and CBT reads of such a VM: this one check says all there is.
    const detail = `pool type is ${server.type}: only VMs of HCI pools have snapshots and CBT`;
    throw new ScpPreflightError({ workflow: WORKFLOW, checks: [check("in an HCI resource pool", false, detail)] });
  }
  const [config, snapshots, cbt, tasks] = await Promise.all([
    scp.servers.get(serverId, req),
    scp.snapshots.list(serverId, req),
    scp.cbt.status(serverId, req),
    scp.tasks.list({ object_id: serverId, status: "doing", page_size: 10 }, req),
  ]);
  return { server, config, snapshots, cbt, busy: tasks.items.length };
}

/** The VM's disks CBT does not track yet. */
function untracked(t: Target): string[] {
  const on = new Set(t.cbt.is_enabled ? t.cbt.disks.filter((d) => d.is_enabled !== false).map((d) => d.id) : []);
  return (t.config.disks ?? []).map((d) => d.id ?? "").filter((id) => id !== "" && !on.has(id));
}

function vmChecks(t: Target, since: number): ScpCheck[] {
  const { server, config } = t;
  const internal = t.snapshots.filter((s) => s.type?.toLowerCase() === "qcow2").map((s) => s.name);
  const off = untracked(t);
  return [
    check("in an HCI resource pool", true, ""),
    check("an ordinary VM", server.vmtype === undefined || server.vmtype === "vm", `vmtype is ${server.vmtype}`),
    check("turbo mode off", server.advance_param?.turbo_mode_enabled !== 1, "turbo mode is on"),
    check(
      "not a backup proxy",
      server.os_name !== BACKUP_PROXY_OS_NAME,
      `it is one (os_name "${BACKUP_PROXY_OS_NAME}")`,
    ),
    check(
      "not a desktop that reverts at each start",
      !(config.application === "desk" && config.revert_mode === 1),
      "application desk with revert_mode 1",
    ),
    check("no internal (qcow2) snapshots", internal.length === 0, `has ${internal.join(", ")}; delete them first`),
    check(
      "no task running on it",
      t.busy === 0 && (server.status === "running" || server.status === "stopped"),
      t.busy > 0 ? `${t.busy} task(s) running` : `status ${server.status}; wait for it to end`,
    ),
    ...(since > 0
      ? [check("CBT on every disk", off.length === 0, `off on ${off.join(", ")}: take a full backup instead`)]
      : []),
  ];
}

/** What a session would change or meet that does not stop it. */
function warningsOf(t: Target, since: number): string[] {
  const off = untracked(t);
  return [
    ...(since === 0 && off.length > 0 ? [`CBT is off on ${off.join(", ")}: the session turns it on`] : []),
    ...(t.server.backup_policy_enable === 1
      ? ["the VM is in an SCP backup policy: the platform's own backup tasks rank higher and may end a session"]
      : []),
  ];
}

/**
 * Makes the pre-backup checks of a VM and picks the proxy a session would use, reading only.
 * @throws {@link ScpPreflightError} listing every check (the proxy's among them) when one fails.
 */
export async function checkBackup(
  scp: ScpClient,
  input: { serverId: string; sinceCheckpointId: number; proxyId?: string },
  req: { signal: AbortSignal },
): Promise<BackupCheckResult> {
  const { serverId, sinceCheckpointId } = input;
  const target = await readTarget(scp, serverId, req);
  const checks = vmChecks(target, sinceCheckpointId);
  let proxy: SelectedBackupProxy | undefined;
  try {
    proxy = await selectBackupProxy(scp, { serverId, ...(input.proxyId ? { proxyId: input.proxyId } : {}) }, req);
    const where = `${proxy.freeSlots}/${proxy.slots} slots free${proxy.sameHost ? ", on the VM's host" : ""}`;
    checks.push({ name: "a ready proxy with a free slot", ok: true, detail: `${proxy.name} (${where})` });
  } catch (error) {
    if (!(error instanceof ScpPreflightError)) {
      throw error;
    }
    checks.push(...error.checks);
  }
  if (!proxy || checks.some((c) => !c.ok)) {
    throw new ScpPreflightError({ workflow: WORKFLOW, checks });
  }
  return { serverId, sinceCheckpointId, checks, warnings: warningsOf(target, sinceCheckpointId), proxy };
}
