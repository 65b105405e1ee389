import { z } from "zod";
import { ScpNotFoundError, ScpTaskError } from "../errors.js";
import type { Task, TaskStatus } from "../generated/schema.js";
import { sleep } from "../sleep.js";
import { DurationSchema, parseInput } from "../validate.js";

/** How to wait for tasks. */
export interface WaitOptions {
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First pause between polls. @defaultValue 1000 */
  pollIntervalMs?: number;
  /** Longest pause between polls; pauses grow 1.5× per poll up to this. @defaultValue 15000 */
  maxIntervalMs?: number;
  /** Give up (ScpTaskError, reason `timeout`) after this long. @defaultValue 1800000 */
  maxWaitMs?: number;
  /** Called with each task every time it is read. */
  onProgress?: (task: Task) => void;
}

/** Reads one task; what the waiters need from the tasks resource. */
export interface TaskReader {
  /** Reads a task by id. */
  get(taskId: string, options?: { signal?: AbortSignal }): Promise<Task>;
}

const WaitOptionsSchema = z.looseObject({
  signal: z.instanceof(AbortSignal).optional(),
  pollIntervalMs: DurationSchema.optional(),
  maxIntervalMs: DurationSchema.optional(),
  maxWaitMs: DurationSchema.optional(),
  onProgress: z.function().optional(),
});

const SUCCEEDED: ReadonlySet<TaskStatus> = new Set(["finish"]);
const FAILED: ReadonlyMap<TaskStatus, "failed" | "canceled"> = new Map([
  ["failure", "failed"],
  ["canceled", "canceled"],
]);
// A task may not be readable for a moment after the call that started it.
const NOT_FOUND_GRACE_MS = 10_000;
// Polls of one round go out in parallel, this many at a time.
const POLL_CONCURRENCY = 8;

/**
 * Waits until an SCP task finishes.
 * @throws {@link ScpTaskError} when it fails, is canceled, or does not finish within `maxWaitMs`.
 */
export async function waitForTask(tasks: TaskReader, taskId: string, options: WaitOptions = {}): Promise<Task> {
  const [task] = await waitForTasks(tasks, [taskId], options);
  return task as Task;
}

/**
 * Waits until every task finishes, polling all pending tasks once per round with one shared, growing pause.
 * @throws {@link ScpTaskError} for the first task that fails, is canceled or runs out of time;
 * {@link ScpValidationError} for options such as a zero poll interval (a busy loop).
 */
export async function waitForTasks(
  tasks: TaskReader,
  taskIds: readonly string[],
  options: WaitOptions = {},
): Promise<Task[]> {
  parseInput(WaitOptionsSchema, options, "wait options");
  const { signal, onProgress, pollIntervalMs = 1_000, maxIntervalMs = 15_000, maxWaitMs = 30 * 60_000 } = options;
  const started = Date.now();
  const deadline = started + maxWaitMs;
  const done = new Map<string, Task>();
  const last = new Map<string, Task>();
  let pending = [...new Set(taskIds)];
  for (let delay = pollIntervalMs; ; delay = Math.min(delay * 1.5, maxIntervalMs)) {
    signal?.throwIfAborted();
    for (let i = 0; i < pending.length; i += POLL_CONCURRENCY) {
      const batch = pending.slice(i, i + POLL_CONCURRENCY);
      const read = await Promise.all(batch.map((id) => readTask(tasks, id, started, signal)));
      for (const task of read) {
        if (!task) {
          continue;
        }
        last.set(task.task_id, task);
        onProgress?.(task);
        const failure = FAILED.get(task.status);
        if (failure) {
          throw new ScpTaskError({ taskId: task.task_id, reason: failure, task });
        }
        if (SUCCEEDED.has(task.status)) {
          done.set(task.task_id, task);
        }
      }
    }
    pending = pending.filter((id) => !done.has(id));
    if (pending.length === 0) {
      return taskIds.map((id) => done.get(id) as Task);
    }
    // Check the deadline before sleeping, not after.
    if (Date.now() + delay > deadline) {
      const id = pending[0] as string;
      throw new ScpTaskError({ taskId: id, reason: "timeout", task: last.get(id) });
    }
    await sleep(delay, signal);
  }
}

async function readTask(
  tasks: TaskReader,
  taskId: string,
  started: number,
  signal?: AbortSignal,
): Promise<Task | undefined> {
  try {
    const task = await tasks.get(taskId, signal ? { signal } : {});
    // Index by the id asked for, whatever the server echoes.
    return { ...task, task_id: taskId };
  } catch (error) {
    if (error instanceof ScpNotFoundError && Date.now() - started < NOT_FOUND_GRACE_MS) {
      return undefined;
    }
    throw error;
  }
}
