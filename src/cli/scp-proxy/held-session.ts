import { join } from "node:path";
import {
  type AttachedDisk,
  type BackupSession,
  type RestoreSession,
  ScpSessionCleanupError,
  type ScpSessionLeftover,
} from "../../index.js";
import { type AreasFile, writeAreas, writeJsonAtomically } from "./agent-files.js";
import { EXIT } from "./exit-codes.js";
import { confirm, holdUntilReleased, OperatorInput, type Release } from "./hold.js";
import type { Paint } from "./output.js";
import type { Session } from "./session.js";
import { heldLines, holdHint, resultLines } from "./session-render.js";

/** A backup or restore session, held for the agent in the proxy's guest. */
export type HeldSession = BackupSession | RestoreSession;

/** The flags every held session takes. */
export interface HoldFlags {
  /** Directory for the agent's files: session.json and each disk's changed areas. */
  changedAreas?: string;
  holdSeconds?: number;
  commit?: boolean;
}

/** What differs between a backup and a restore held for the agent. */
export interface SessionKind {
  readonly name: "backup" | "restore";
  readonly session: HeldSession;
  readonly lockTimeMs: number;
  /** Whether the agent gets changed areas: always for a backup, for a differential restore only. */
  readonly areas: boolean;
  /** The kind's facts in the agent's view (snapshot and checkpoints, or the VM restored into). */
  facts(): Record<string, unknown>;
  /** The kind's lines for people, under the session's head line. */
  lines(paint: Paint): string[];
  /** The question asked on a terminal before committing. */
  readonly question: string;
  /** Commits the session; the value is printed. */
  commit(): Promise<Record<string, unknown>>;
  /** A commit in words. */
  committedText(commit: Record<string, unknown>): string;
  /** What not committing means. */
  readonly uncommittedText: string;
  /** What the kind's own release steps did (after "disks detached, lock released"). */
  releasedText(committed: boolean): string;
}

/** One attached disk as the agent needs it. */
export interface DiskView {
  diskId: string;
  sizeBytes: number;
  proxyId: string;
  proxyDiskId: string;
  serial: string;
  changedAreas?: AreasFile;
}

/** What the in-guest agent needs: written to session.json, printed when held, and part of the result. */
export type AgentView = ReturnType<typeof agentView>;

function agentView(kind: SessionKind, disks: DiskView[]) {
  const { session } = kind;
  const p = session.proxy;
  return {
    kind: kind.name,
    sessionId: session.id,
    serverId: session.serverId,
    proxy: { serverId: p.serverId, name: p.name, azId: p.azId, hostId: p.hostId, slots: p.slots },
    resourceId: session.resourceId,
    lockTimeMs: kind.lockTimeMs,
    ...kind.facts(),
    disks,
    warnings: [...session.warnings],
  };
}

const diskView = ({ diskId, sizeBytes, proxyId, proxyDiskId, serial }: AttachedDisk): DiskView => ({
  ...{ diskId, sizeBytes, proxyId, proxyDiskId, serial },
});

/** How the hold ended. */
interface Outcome {
  view: AgentView;
  endedBy: Release;
  commit: Record<string, unknown> | null;
}

/** Attaches every disk (within the proxy's free slots), lists changed areas, writes the agent's files. */
async function prepare(cli: Session, kind: SessionKind, flags: HoldFlags): Promise<AgentView> {
  const { session } = kind;
  const { proxy } = session;
  if (session.disks.length > proxy.freeSlots) {
    const needs = `the VM has ${session.disks.length} disks to attach at once`;
    const has = `proxy ${proxy.name} has ${proxy.freeSlots} of ${proxy.slots} slots free`;
    throw new Error(`${needs}, ${has}: pick a proxy with more free slots (--proxy)`);
  }
  const disks: DiskView[] = [];
  for (const disk of session.disks) {
    const device = await session.attach(disk.id);
    const mark = cli.out.paintErr.green("✓");
    cli.out.note(`${mark} attached ${disk.id} to ${proxy.name} as ${device.proxyDiskId} (serial ${device.serial})`);
    disks.push(diskView(device));
  }
  const dir = flags.changedAreas;
  if (dir !== undefined && kind.areas) {
    for (const disk of disks) {
      disk.changedAreas = await writeAreas(dir, disk.diskId, session.changedAreas(disk.diskId));
    }
  }
  const view = agentView(kind, disks);
  // Written last: a script that waits for session.json finds every file of the session complete.
  await (dir === undefined ? undefined : writeJsonAtomically(join(dir, "session.json"), view));
  return view;
}

/** Prepares, holds until let go, and commits when told the data is safe. */
async function holdAndCommit(cli: Session, kind: SessionKind, flags: HoldFlags, input: OperatorInput) {
  const { session } = kind;
  const view = await prepare(cli, kind, flags);
  cli.out.say((paint) => heldLines(paint, kind, view));
  cli.out.note(holdHint(flags.holdSeconds));
  const holdMs = flags.holdSeconds === undefined ? undefined : flags.holdSeconds * 1000;
  const endedBy = await holdUntilReleased(input, { ended: session.signal, holdMs });
  const safe =
    endedBy !== undefined && (flags.commit === true || (await confirm(input, kind.question, session.signal)));
  if (endedBy === undefined || session.signal.aborted) {
    // The lock was lost, or the run interrupted: the session says which.
    throw session.signal.reason;
  }
  return { view, endedBy, commit: safe ? await kind.commit() : null } satisfies Outcome;
}

/** Closes the session; returns what it could not remove, or throws the run's failure (with those, if any). */
async function release(session: HeldSession, failure: unknown): Promise<ScpSessionLeftover[]> {
  try {
    await session.close();
  } catch (error) {
    if (!(error instanceof ScpSessionCleanupError)) {
      throw failure ?? error;
    }
    if (failure === undefined) {
      return [...error.leftovers];
    }
    throw new ScpSessionCleanupError({ sessionId: session.id, leftovers: error.leftovers, cause: failure });
  }
  if (failure !== undefined) {
    throw failure;
  }
  return [];
}

/**
 * Runs a session that is open: holds it for the agent and closes it whatever happens (disks detached, lock
 * released, the kind's own steps), then prints the result. Exits 1 when something could not be removed.
 */
export async function runHeldSession(cli: Session, kind: SessionKind, flags: HoldFlags): Promise<void> {
  const input = new OperatorInput();
  let outcome: Outcome | undefined;
  let failure: unknown;
  try {
    outcome = await holdAndCommit(cli, kind, flags, input);
  } catch (error) {
    failure = error ?? new Error("the session ended");
  } finally {
    input.close();
  }
  const leftovers = await release(kind.session, failure);
  const done = outcome as Outcome;
  const result = { ...done.view, endedBy: done.endedBy, commit: done.commit, leftovers };
  cli.result(result, (paint) => resultLines(paint, kind, result), leftovers.length > 0 ? EXIT.failed : EXIT.ok);
}

/** The `onProgress` of opening a session: a line per step done, on stderr (none with `--json`). */
export function stepNotes(cli: Session): (event: { step: string; phase: "start" | "done" }) => void {
  return (event) => {
    if (event.phase === "done") {
      cli.out.note(`${cli.out.paintErr.green("✓")} ${event.step}`);
    }
  };
}
