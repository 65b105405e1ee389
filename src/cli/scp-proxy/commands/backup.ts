import type { Command } from "commander";
import {
  type BackupSession,
  type BackupSessionCheck,
  checkBackupSession,
  openBackupSession,
  WORKFLOW_DEFAULTS,
} from "../../../index.js";
import { given, inCliTerms, wholeNumber } from "../flags.js";
import { runHeldSession, stepNotes } from "../held-session.js";
import type { Paint } from "../output.js";
import type { Session } from "../session.js";
import { addHoldFlags, agentDirOf, type HeldFlags, SESSION_FIELDS } from "../session-flags.js";
import type { SessionKind } from "../session-kind.js";

interface BackupFlags extends HeldFlags {
  since?: number;
  keepSnapshot?: boolean;
  quiesce?: boolean;
  resetCbt?: boolean;
}

function checkLines(paint: Paint, result: BackupSessionCheck): string[] {
  const kind =
    result.sinceCheckpointId === 0 ? "a full backup" : `an incremental since checkpoint ${result.sinceCheckpointId}`;
  const p = result.proxy;
  return [
    `${paint.green("✓")} VM ${result.serverId} can be backed up (${kind})`,
    ...result.checks.map((c) => `  ${paint.green("✓")} ${c.name}${c.detail === "ok" ? "" : `: ${c.detail}`}`),
    ...result.warnings.map((w) => `  ${paint.yellow("warning:")} ${w}`),
    `Proxy: ${p.name} (${p.serverId}) on host ${p.hostId ?? "?"}, ${p.freeSlots} of ${p.slots} slots free`,
  ];
}

function registerCheck(backup: Command, session: Session): void {
  backup
    .command("check")
    .description("make the pre-backup checks of a VM and show the proxy a session would use (reads only)")
    .argument("<vm>", "the VM to back up")
    .option("--proxy <serverId>", "check this proxy instead of picking one")
    .option("--since <checkpointId>", "check for an incremental since this checkpoint (CBT on every disk)", wholeNumber)
    .action(async (vm: string, flags: { proxy?: string; since?: number }) => {
      const scp = await session.client();
      const input = { serverId: vm, sinceCheckpointId: flags.since ?? 0, ...given({ proxyId: flags.proxy }) };
      const result = await checkBackupSession(scp, input, { signal: session.signal });
      session.result(result, (paint) => checkLines(paint, result));
    });
}

/** A backup session as the held-session runner shows, commits and releases it. */
function backupKind(session: BackupSession, lockTimeMs: number, keepSnapshot: boolean): SessionKind {
  const since = session.sinceCheckpointId;
  return {
    name: "backup",
    session,
    lockTimeMs,
    areas: true,
    facts: () => ({ sinceCheckpointId: since, snapshot: session.snapshot, keepSnapshot }),
    lines: () => {
      const s = session.snapshot;
      const areas = since === 0 ? "every allocated area (a full backup)" : `changed since checkpoint ${since}`;
      return [
        `  snapshot  ${s.id}, checkpoint ${s.checkpointId}, ${s.quiesced ? "quiesced" : "not quiesced"}`,
        `  areas     ${areas}`,
      ];
    },
    question: "Has the agent stored every area safely? Commit it as the base of the next incremental?",
    commit: async () => ({ ...(await session.commit()) }),
    committedText: (c) =>
      `snapshot ${c.snapshotId}, checkpoint ${c.checkpointId}: the next incremental is --since ${c.checkpointId}`,
    uncommittedText: "the base of the next incremental stays where it was",
    releasedText: () => (keepSnapshot ? ", snapshot kept" : ", snapshot deleted"),
  };
}

function registerSession(backup: Command, session: Session): void {
  const command = backup
    .command("session")
    .description("open a backup session, attach every disk to the proxy, and hold it for the agent in the proxy")
    .argument("<vm>", "the VM to back up")
    .option("--since <checkpointId>", "an incremental since this committed checkpoint (default: a full)", wholeNumber)
    .option("--keep-snapshot", "keep the session's snapshot when it closes")
    .option("--quiesce", "require a quiesced snapshot (refuse one the guest could not quiesce)")
    .option("--reset-cbt", "reset CBT first, for a full backup after it expired (a revert or a restore)");
  addHoldFlags(command, "commit the backup when released: the agent has stored the data").action(
    async (vm: string, flags: BackupFlags) => {
      const dir = await agentDirOf(flags);
      const scp = await session.client();
      const lockTimeMs = flags.lockTimeMs ?? WORKFLOW_DEFAULTS.lockTimeMs;
      const input = {
        serverId: vm,
        ...given({ proxyId: flags.proxy, sinceCheckpointId: flags.since, lockTimeMs: flags.lockTimeMs }),
        ...given({ keepSnapshot: flags.keepSnapshot, quiesce: flags.quiesce, resetCbt: flags.resetCbt }),
      };
      const options = {
        signal: session.signal,
        onProgress: stepNotes(session),
        ...given({ stateDir: flags.stateDir, renewMarginMs: flags.renewMarginMs }),
      };
      const opened = await openBackupSession(scp, input, options).catch((error: unknown) => {
        throw inCliTerms(error, { fields: SESSION_FIELDS });
      });
      const kind = backupKind(opened, lockTimeMs, flags.keepSnapshot === true);
      await runHeldSession(session, kind, { ...flags, ...given({ changedAreas: dir }) });
    },
  );
}

/** `backup check|session`: a VM's pre-backup checks, and a backup session held for the agent in a proxy. */
export function registerBackup(program: Command, session: Session): void {
  const backup = program.command("backup").description("check a VM, and hold backup sessions for the agent");
  registerCheck(backup, session);
  registerSession(backup, session);
}
