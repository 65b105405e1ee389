import { z } from "zod";
import { ScpNotFoundError } from "../errors/api.js";
import { ScpTaskError } from "../errors/call.js";
import type { Task, TaskStatus } from "../generated/schema.js";
import { parseInput } from "../validate.js";
import { Poller, type PollVerdict } from "./poller.js";
import { ScheduleSchema, scheduleOf } from "./schedule.js";

/** How to wait for tasks. */
export interface WaitOptions {
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First pause between polls (the first poll comes after it). @defaultValue 250 */
  pollIntervalMs?: number;
  /** Longest pause between polls; pauses grow 1.5× per poll up to this. @defaultValue 15000 */
  maxIntervalMs?: number;
  /** Give up (ScpTaskError, reason `timeout`) after this long. @defaultValue 1800000 */
  maxWaitMs?: number;
  /** Called with each task every time it is read. */
  onProgress?: (task: Task) => void;
}

/** Reads one task; what the waiters need from the tasks resource. @internal */
export interface TaskReader {
  /** Reads a task by id. */
  get(taskId: string, options?: { signal?: AbortSignal }): Promise<Task>;
}

// Strict: a misspelt or renamed option (such as timeoutMs) is refused rather than ignored.
const WaitOptionsSchema = z.strictObject({ ...ScheduleSchema.shape, onProgress: z.function().optional() });

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
 * Waits until an SCP task finishes. `scp.tasks.wait` is the public way to call it.
 * @throws {@link ScpTaskError} when it fails, is canceled, or does not finish within `maxWaitMs`.
 * @internal
 */
export async function waitForTask(tasks: TaskReader, taskId: string, options: WaitOptions = {}): Promise<Task> {
  const [task] = await waitForTasks(tasks, [taskId], options);
  return task as Task;
}

/**
 * Waits until every task finishes, reading all that are due in one round (each with its own growing pause).
 * `scp.tasks.waitAll` is the public way to call it.
 * @throws {@link ScpTaskError} for the first task that fails, is canceled or runs out of time;
 * {@link ScpValidationError} for options such as a zero poll interval (a busy loop), before any read.
 * @internal
 */
export async function waitForTasks(
  tasks: TaskReader,
  taskIds: readonly string[],
  options: WaitOptions = {},
): Promise<Task[]> {
  parseInput(WaitOptionsSchema, options, "wait options");
  parseInput(z.array(z.string()), taskIds, "task ids");
  const { signal, onProgress } = options;
  // The first failure stops the other waits, so nothing keeps polling for a result nobody will read.
  const stop = new AbortController();
  const schedule = scheduleOf({ ...options, signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal });
  const poller = new Poller<string, Task | ScpNotFoundError>((ids) => readTasks(tasks, ids, signal), {
    shareReads: false,
    batchSize: POLL_CONCURRENCY,
  });
  const judge = taskJudge(Date.now(), onProgress);
  const waits = [...new Set(taskIds)].map((id) =>
    poller.wait(id, {
      judge,
      timeout: (last) =>
        new ScpTaskError({ taskId: id, reason: "timeout", task: last instanceof ScpNotFoundError ? undefined : last }),
      schedule,
    }),
  );
  try {
    const done = new Map((await Promise.all(waits)).map((task) => [task.task_id, task]));
    return taskIds.map((id) => done.get(id) as Task);
  } catch (error) {
    stop.abort(error);
    throw error;
  }
}

/** Judges each read of a task: done when it finished, failed as SCP says, not yet otherwise (or unseen for a moment). */
function taskJudge(started: number, onProgress: WaitOptions["onProgress"]) {
  return (value: Task | ScpNotFoundError | undefined): PollVerdict<Task> => {
    if (value === undefined || value instanceof ScpNotFoundError) {
      return Date.now() - started < NOT_FOUND_GRACE_MS ? undefined : { fail: value };
    }
    onProgress?.(value);
    const failure = FAILED.get(value.status);
    if (failure) {
      return { fail: new ScpTaskError({ taskId: value.task_id, reason: failure, task: value }) };
    }
    return SUCCEEDED.has(value.status) ? { done: value } : undefined;
  };
}

/** Reads the tasks in parallel; a task not (yet) found is returned as its 404. */
async function readTasks(
  tasks: TaskReader,
  ids: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, Task | ScpNotFoundError>> {
  const read = await Promise.all(
    ids.map(async (id) => {
      try {
        // Index by the id asked for, whatever the server echoes.
        return { ...(await tasks.get(id, signal ? { signal } : {})), task_id: id };
      } catch (error) {
        if (error instanceof ScpNotFoundError) {
          return error;
        }
        throw error;
      }
    }),
  );
  return new Map(ids.map((id, i) => [id, read[i] as Task | ScpNotFoundError]));
}
