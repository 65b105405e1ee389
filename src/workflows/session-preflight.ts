import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import type { CbtInfo, Server, ServerConfig, SnapshotListItem } from "../types.js";
import { BACKUP_PROXY_OS_NAME } from "./marker.js";

/** What the checks before a backup or a restore read about the VM. @internal */
export interface SessionTarget {
  server: Server;
  config: ServerConfig;
  snapshots: SnapshotListItem[];
  cbt: CbtInfo;
  /** Tasks running on the VM now. */
  busy: number;
}

/** What a session is about to do, as far as the checks care. @internal */
export interface SessionIntent {
  kind: "backup" | "restore";
  /** An incremental backup, or a differential restore: both read CBT against an older checkpoint. */
  sinceCheckpoint: boolean;
}

/**
 * Reads what the checks need: the VM as listed and its configuration, its snapshots, its CBT state and its
 * running tasks; all reads.
 * @throws {@link ScpPreflightError} when there is no such VM.
 * @internal
 */
export async function readTarget(
  scp: ScpClient,
  workflow: string,
  serverId: string,
  req: { signal?: AbortSignal },
): Promise<SessionTarget> {
  const server = await scp.servers.find(serverId, req);
  if (!server) {
    throw new ScpPreflightError({
      workflow,
      checks: [{ name: "the VM exists", ok: false, detail: `no VM ${serverId}` }],
    });
  }
  if (server.type !== undefined && server.type !== "hci") {
    // The platform refuses snapshot and CBT reads of such a VM: this one check says all there is.
    const detail = `pool type is ${server.type}: only VMs of HCI pools have snapshots and CBT`;
    throw new ScpPreflightError({ workflow, checks: [check("in an HCI resource pool", false, detail)] });
  }
  const [config, snapshots, cbt, tasks] = await Promise.all([
    scp.servers.get(serverId, req),
    scp.snapshots.list(serverId, req),
    scp.cbt.status(serverId, req),
    scp.tasks.list({ object_id: serverId, status: "doing", page_size: 10 }, req),
  ]);
  return { server, config, snapshots, cbt, busy: tasks.items.length };
}

function check(name: string, ok: boolean, detail: string): ScpCheck {
  return { name, ok, detail: ok ? "ok" : detail };
}

/** The disks CBT is off on (every disk when it is off for the VM). @internal */
export function untrackedDisks(target: SessionTarget): string[] {
  const disks = (target.config.disks ?? []).map((d) => d.id ?? "").filter(Boolean);
  const on = new Set(
    target.cbt.is_enabled ? target.cbt.disks.filter((d) => d.is_enabled !== false).map((d) => d.id) : [],
  );
  return disks.filter((id) => !on.has(id));
}

/** The checks every session makes: the VM is one agentless HotAdd can serve (guide page 2653164). */
function vmChecks(t: SessionTarget): ScpCheck[] {
  const { server, config } = t;
  const internal = t.snapshots.filter((s) => s.type?.toLowerCase() === "qcow2").map((s) => s.name);
  return [
    check("in an HCI resource pool", server.type === undefined || server.type === "hci", `pool type is ${server.type}`),
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
  ];
}

/** Every check of a VM for a session, passed or not. @internal */
export function targetChecks(t: SessionTarget, intent: SessionIntent): ScpCheck[] {
  const checks = vmChecks(t);
  if (intent.kind === "restore") {
    checks.push(check("powered off", t.server.power_state === "off", "it is running; shut it down first"));
  }
  if (intent.sinceCheckpoint) {
    const off = untrackedDisks(t);
    const what = intent.kind === "backup" ? "take a full backup" : "restore every disk in full";
    checks.push(check("CBT on every disk", off.length === 0, `off on ${off.join(", ")}: ${what} instead`));
  }
  return checks;
}

/**
 * Runs the checks before a session changes anything: every refusal at once, in words.
 * @throws {@link ScpPreflightError} listing every check when one fails.
 * @returns warnings that do not stop the session.
 * @internal
 */
export function checkTarget(workflow: string, t: SessionTarget, intent: SessionIntent): string[] {
  const checks = targetChecks(t, intent);
  if (checks.some((c) => !c.ok)) {
    throw new ScpPreflightError({ workflow, checks });
  }
  return targetWarnings(t);
}

/**
 * What a session would meet that does not stop it; with `cbtOff`, the disks a full backup turns CBT on for.
 * @internal
 */
export function targetWarnings(t: SessionTarget, cbtOff: readonly string[] = []): string[] {
  return [
    ...(cbtOff.length > 0 ? [`CBT is off on ${cbtOff.join(", ")}: the session turns it on`] : []),
    ...(t.server.backup_policy_enable === 1
      ? ["the VM is in an SCP backup policy: the platform's own backup tasks rank higher and may end this session"]
      : []),
  ];
}
