import type { ScpClient } from "../client.js";
import { isOutcomeUnknown } from "../errors/call.js";
import type { ScpSessionLeftover } from "../errors/session.js";
import { type ScpLeftover, ScpWorkflowError } from "../errors/workflow.js";
import { StepFailure } from "./created-resources.js";
import { type JournalItem, journalDir, SessionJournal } from "./session-journal.js";
import type { SessionClock } from "./session-lock.js";
import { journalTime } from "./session-steps.js";
import type { SessionParts } from "./session-types.js";
import { lookFor, waitOptions } from "./step-helpers.js";

/** Something a session created, with its journal item. @internal */
export interface Held {
  id: string;
  item: JournalItem;
}

/** Opens a new session's journal under the platform's state directory. @internal */
export function openJournal(
  scp: ScpClient,
  init: {
    kind: "backup" | "restore";
    id: string;
    stateDir: string | undefined;
    lockTimeMs: number;
    clock: SessionClock;
  },
): Promise<SessionJournal> {
  const now = new Date(init.clock.now()).toISOString();
  return SessionJournal.open(journalDir(scp.baseUrl, init.stateDir), {
    ...{ sessionId: init.id, kind: init.kind, baseUrl: scp.baseUrl, lockTimeMs: init.lockTimeMs },
    ...{ startedAt: now, heartbeatAt: now },
  });
}

/** Runs a change that starts a task and waits for it. @internal */
export async function changeAndWait(
  parts: SessionParts,
  signal: AbortSignal,
  change: () => Promise<{ taskId: string }>,
): Promise<void> {
  await parts.scp.tasks.wait(await change(), { ...waitOptions(parts.wait), signal });
}

/**
 * Takes a marked snapshot: journaled before the request, found by its name when the answer was lost, and waited
 * for. A snapshot whose task failed is gone (the platform removes it).
 * @internal
 */
export async function createSnapshot(
  parts: SessionParts,
  input: { serverId: string; name: string; description: string },
  signal: AbortSignal,
): Promise<Held> {
  const { scp, journal } = parts;
  const { serverId, name, description } = input;
  const item = await journal.intent({ kind: "snapshot", serverId, name }, journalTime(parts));
  let ref: { taskId: string | undefined; snapshotId: string };
  try {
    ref = await scp.snapshots.create(serverId, { name, description }, { signal });
  } catch (error) {
    const mine = async () => (await scp.snapshots.list(serverId)).find((s) => s.name === name);
    const found = isOutcomeUnknown(error) ? await lookFor(mine, parts.wait.pollIntervalMs) : undefined;
    if (!found) {
      await (isOutcomeUnknown(error) ? undefined : journal.drop(item));
      throw error;
    }
    ref = { taskId: undefined, snapshotId: found.id };
  }
  await journal.held(item, ref.snapshotId, journalTime(parts));
  if (ref.taskId) {
    await scp.tasks.wait(ref.taskId, { ...waitOptions(parts.wait), signal });
  }
  return { id: ref.snapshotId, item };
}

/**
 * Creates the backup resource (the lock), journaled before the request with its lock time, so a sweep can at least
 * say when a lock whose answer was lost runs out. Waits for its task.
 * @internal
 */
export async function createLock(
  parts: SessionParts,
  input: { serverId: string; type: "backup" | "restore"; lockTimeMs: number; hostId: string | undefined },
  signal: AbortSignal,
  hold: (held: Held) => void,
): Promise<void> {
  const { scp, journal } = parts;
  const { serverId, type, lockTimeMs, hostId } = input;
  const item = await journal.intent({ kind: "backup-resource", serverId, lockTimeMs }, journalTime(parts));
  let ref: Awaited<ReturnType<ScpClient["backupResources"]["create"]>>;
  try {
    ref = await scp.backupResources.create({ serverId, type, lockTimeMs, ...(hostId ? { hostId } : {}) }, { signal });
  } catch (error) {
    // No call lists backup resources: a lost answer leaves the intent for the sweep to report until it expires.
    await (isOutcomeUnknown(error) ? undefined : journal.drop(item));
    throw error;
  }
  await journal.held(item, ref.resourceId, journalTime(parts));
  hold({ id: ref.resourceId, item });
  await scp.tasks.wait(ref.taskId, { ...waitOptions(parts.wait), signal });
}

function toLeftover(l: ScpSessionLeftover): ScpLeftover {
  return { kind: l.kind, id: l.id, state: "remains" };
}

/**
 * Turns a failure while opening a session into an {@link ScpWorkflowError} at its step, after releasing what the
 * session had made (its release lists what remains).
 * @internal
 */
export async function failOpen(
  workflow: string,
  error: unknown,
  release: () => Promise<ScpSessionLeftover[]>,
): Promise<ScpWorkflowError> {
  const leftovers = (await release().catch(() => [] as ScpSessionLeftover[])).map(toLeftover);
  const failure = error instanceof StepFailure ? error : new StepFailure("snapshot", error);
  return new ScpWorkflowError({
    workflow,
    step: failure.step,
    target: failure.target,
    leftovers,
    cause: failure.cause,
  });
}
