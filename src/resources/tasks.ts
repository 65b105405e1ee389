import { z } from "zod";
import type { operations, Task, TaskSummary } from "../generated/schema.js";
import { TaskGate, TaskSummaryGate } from "../schemas.js";
import { type WaitOptions, waitForTask, waitForTasks } from "../tasks/wait-for-task.js";
import type { Transport } from "../transport/create-transport.js";
import { MAX_PAGE_SIZE, pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { parseId, parseQuery, type RequestOptions, type TaskRef } from "./request-options.js";

/** Filters and paging of a task list. */
export type TaskListQuery = NonNullable<operations["listOperationLogs"]["parameters"]["query"]>;

const TaskPage = pageSchema(TaskSummaryGate);
const TaskRefsSchema = z.array(
  z.union([ScpIdSchema, z.looseObject({ taskId: ScpIdSchema }).transform((r) => r.taskId)]),
  "must be an array of task ids or task references",
);
const LIST = "/janus/20180725/tasks";

/** Reads and waits for asynchronous SCP tasks. */
export class Tasks {
  readonly #t: Transport;
  readonly #onTask: ((task: Task) => void) | undefined;

  /** @internal */
  constructor(transport: Transport, onTask?: (task: Task) => void) {
    this.#t = transport;
    this.#onTask = onTask;
  }

  /** The wait options with the client's `onTask` hook added beside the caller's `onProgress`. */
  #observed(options: WaitOptions | undefined): WaitOptions {
    const hook = this.#onTask;
    // Only well-formed options are wrapped; anything else goes on as given, for the wait to refuse it unsent.
    const wrappable =
      typeof options === "object" &&
      options !== null &&
      (options.onProgress === undefined || typeof options.onProgress === "function");
    if (!hook || (options !== undefined && !wrappable)) {
      return options === undefined ? {} : options;
    }
    const own = options?.onProgress;
    return {
      ...options,
      onProgress: (task) => {
        own?.(task);
        try {
          hook(task);
        } catch {
          // A hook that throws must not end the wait it observes.
        }
      },
    };
  }

  /** Reads one task. */
  async get(taskId: string, options?: RequestOptions): Promise<Task> {
    const task_id = parseId(taskId, "task id");
    return this.#t.data(
      (init) => this.#t.http.GET("/janus/20180725/tasks/{task_id}", { params: { path: { task_id } }, ...init }),
      TaskGate,
      options,
    );
  }

  /** Reads one page of tasks. */
  async list(query: TaskListQuery = {}, options?: RequestOptions): Promise<ScpPage<TaskSummary>> {
    const q = parseQuery(query, "task list query");
    return this.#t.data((init) => this.#t.http.GET(LIST, { params: { query: q }, ...init }), TaskPage, options);
  }

  /** Iterates over every task matching the query, a page at a time. */
  listAll(
    query: Omit<TaskListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<TaskSummary, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "task list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: LIST,
    });
  }

  /**
   * Waits until the task finishes.
   * @throws {@link ScpTaskError} when it fails, is canceled or runs out of time.
   */
  async wait(ref: TaskRef | string, options?: WaitOptions): Promise<Task> {
    const [id] = parseInput(TaskRefsSchema, [ref], "task to wait for");
    return waitForTask(this, id as string, this.#observed(options));
  }

  /**
   * Waits until all the tasks finish, polling them together.
   * @throws {@link ScpTaskError} for the first that fails, is canceled or runs out of time.
   */
  async waitAll(refs: readonly (TaskRef | string)[], options?: WaitOptions): Promise<Task[]> {
    return waitForTasks(this, parseInput(TaskRefsSchema, refs, "tasks to wait for"), this.#observed(options));
  }
}
