import { join } from "node:path";
import { ScpSessionCleanupError, type ScpSessionLeftover } from "../../index.js";
import { writeAreas, writeJsonAtomically } from "./agent-files.js";
import { EXIT } from "./exit-codes.js";
import { confirm, holdUntilReleased, OperatorInput, type Release } from "./hold.js";
import type { Session } from "./session.js";
import {
  type AgentView,
  agentView,
  type DiskView,
  diskView,
  type HeldSession,
  type SessionKind,
} from "./session-kind.js";
import { heldLines, holdHint, resultLines } from "./session-render.js";

/** The flags every held session takes. */
export interface HoldFlags {
  /** Directory for the agent's files: session.json and each disk's changed areas. */
  changedAreas?: string;
  holdSeconds?: number;
  commit?: boolean;
}

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
