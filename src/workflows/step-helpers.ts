import { z } from "zod";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown } from "../errors/call.js";
import { ScpStateError } from "../errors/workflow.js";
import { pollOne } from "../tasks/poller.js";
import { ScheduleSchema, scheduleOf } from "../tasks/schedule.js";

/** How workflow steps wait: for tasks, and for VMs or images to reach a state. */
export interface StepOptions {
  /** Stops the step; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First pause between polls. @defaultValue 250 */
  pollIntervalMs?: number;
  /** Longest pause between polls. @defaultValue 15000 */
  maxIntervalMs?: number;
  /** Longest wait for one task or state, all polls together (not one request: that is the client's `timeoutMs`). @defaultValue 1800000 */
  maxWaitMs?: number;
}

/** Checks step options: durations of whole milliseconds from 1 ms, a real signal, no unknown keys. @internal */
export const StepOptionsSchema = z.strictObject(ScheduleSchema.shape);

/** Just the waiting fields of step options (for `scp.tasks.wait`, or to pass on). @internal */
export function waitOptions(options: StepOptions): StepOptions {
  const { signal, pollIntervalMs, maxIntervalMs, maxWaitMs } = options;
  return {
    ...(signal ? { signal } : {}),
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    ...(maxIntervalMs !== undefined ? { maxIntervalMs } : {}),
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
  };
}

/** Request options (just the signal) from step options. @internal */
export function requestOptions(options: StepOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/**
 * Runs a mutating call. When SCP's answer was lost (outcome unknown), asks `applied` whether it took effect:
 * if so returns undefined (the caller then waits on state, not on a task); if not, runs it once more.
 * @internal
 */
export async function applyOnce<T>(action: () => Promise<T>, applied: () => Promise<boolean>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (!isOutcomeUnknown(error)) {
      throw error;
    }
    if (await applied()) {
      return undefined;
    }
    return action();
  }
}

/**
 * Reads until `done` says yes, through the one poller; `describe` tells what was expected and found.
 * @throws {@link ScpStateError} when `maxWaitMs` passes first, or when `failed` says it never will.
 * @internal
 */
export function pollUntil<T>(
  read: () => Promise<T>,
  check: {
    done: (value: T) => boolean;
    failed?: (value: T) => string | undefined;
    resource: string;
    expected: string;
    describe: (value: T) => string;
  },
  options: StepOptions,
): Promise<T> {
  const stateError = (actual: string) =>
    new ScpStateError({ resource: check.resource, expected: check.expected, actual });
  return pollOne(read, {
    judge: (value) => {
      const v = value as T;
      if (check.done(v)) {
        return { done: v };
      }
      const failure = check.failed?.(v);
      return failure === undefined ? undefined : { fail: stateError(failure) };
    },
    timeout: (last) => stateError(check.describe(last as T)),
    schedule: scheduleOf(options, true),
  });
}

/**
 * Reads up to `tries` times with growing pauses (about 4 s from a 500 ms start) until something is found: SCP
 * may list a new resource a moment after creating it. Takes no signal on purpose: it settles a create whose
 * answer was lost, and an abort must not leave what that create made untracked.
 * @internal
 */
export function lookFor<T>(
  read: () => Promise<T | undefined>,
  pollIntervalMs = 500,
  tries = 5,
): Promise<T | undefined> {
  const notFound = Symbol("not found");
  let reads = 0;
  return pollOne(read, {
    judge: (found) => (found !== undefined ? { done: found } : ++reads >= tries ? { fail: notFound } : undefined),
    timeout: () => notFound,
    // The tries end it; the time limit is only a backstop far beyond them.
    schedule: { pollIntervalMs, maxIntervalMs: pollIntervalMs * 4, maxWaitMs: pollIntervalMs * 100, immediate: true },
  }).catch((error: unknown) => {
    if (error === notFound) {
      return undefined;
    }
    throw error;
  });
}

/**
 * Sends a change that starts a task (see {@link applyOnce} for a lost answer) and waits for the task; when the
 * answer was lost but the change applied, there is no task to wait for.
 * @internal
 */
export async function runTask(
  scp: Pick<ScpClient, "tasks">,
  action: () => Promise<{ taskId: string }>,
  applied: () => Promise<boolean>,
  options: StepOptions,
): Promise<void> {
  const ref = await applyOnce(action, applied);
  if (ref) {
    await scp.tasks.wait(ref, waitOptions(options));
  }
}
