import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors/workflow.js";
import type { VmConfig } from "../types.js";
import type { SessionSnapshot } from "./backup-session.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import type { SessionInputOptions } from "./session-input.js";
import type { SessionJournal } from "./session-journal.js";
import type { SessionClock } from "./session-lock.js";
import type { SessionDiskInfo, SessionParts } from "./session-types.js";
import { waitOptions } from "./step-helpers.js";

const MIB = 1024 * 1024;

/** Reads the session's snapshot: its checkpoint and frozen configuration (detail), whether it is quiesced (list). @internal */
export async function readSnapshot(
  scp: ScpClient,
  serverId: string,
  snapshotId: string,
  signal: AbortSignal,
): Promise<SessionSnapshot> {
  const [detail, list] = await Promise.all([
    scp.snapshots.get(serverId, snapshotId, { signal }),
    scp.snapshots.list(serverId, { signal }),
  ]);
  const item = list.find((s) => s.id === snapshotId);
  const quiesced = (detail as { quiesced?: unknown }).quiesced ?? item?.quiesced;
  return {
    id: snapshotId,
    checkpointId: Number(detail.checkpoint_id),
    quiesced: quiesced === 1 || quiesced === true,
    vmconf: detail.vmconf,
  };
}

/** The disks a frozen configuration lists, with their sizes in bytes. @internal */
export function diskSizes(vmconf: VmConfig, what: string): SessionDiskInfo[] {
  const disks = (vmconf.hardware_option?.disks ?? []).flatMap((d) =>
    d.id !== undefined && d.size_mb !== undefined ? [{ id: String(d.id), sizeBytes: d.size_mb * MIB }] : [],
  );
  if (disks.length === 0) {
    throw new ScpStateError({ resource: what, expected: "disks with ids and sizes in its vmconf", actual: "none" });
  }
  return disks;
}

/** Builds what a session is made of from the workflow's options. @internal */
export function sessionParts(
  scp: ScpClient,
  init: {
    id: string;
    kind: "backup" | "restore";
    serverId: string;
    proxy: { serverId: string; slots: number };
    journal: SessionJournal;
    clock: SessionClock;
  },
  options: SessionInputOptions,
): SessionParts {
  const { signal, ...wait } = waitOptions(options);
  return {
    scp,
    id: init.id,
    kind: init.kind,
    serverId: init.serverId,
    proxy: { id: init.proxy.serverId, slots: init.proxy.slots },
    journal: init.journal,
    clock: init.clock,
    wait,
    cleanupMaxWaitMs: options.cleanupMaxWaitMs ?? D.cleanupMaxWaitMs,
    signal,
  };
}
