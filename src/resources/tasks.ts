import type { operations, Task, TaskSummary } from "../generated/schema.js";
import { TaskGate, TaskSummaryGate } from "../schemas.js";
import { type WaitOptions, waitForTask, waitForTasks } from "../tasks/wait-for-task.js";
import type { Transport } from "../transport/create-transport.js";
import { pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { unwrapData } from "../transport/unwrap.js";
import { init, parseId, type RequestOptions, type TaskRef } from "./request-options.js";

/** Filters and paging of a task list. */
export type TaskListQuery = NonNullable<operations["listOperationLogs"]["parameters"]["query"]>;

const TaskPage = pageSchema(TaskSummaryGate);

/** Reads and waits for asynchronous SCP tasks. */
export class Tasks {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one task. */
  async get(taskId: string, options?: RequestOptions): Promise<Task> {
    const task_id = parseId(taskId, "task id");
    const pending = this.#transport.http.GET("/janus/20180725/tasks/{task_id}", {
      params: { path: { task_id } },
      ...init(options),
    });
    return unwrapData(pending, TaskGate);
  }

  /** Reads one page of tasks. */
  async list(query: TaskListQuery = {}, options?: RequestOptions): Promise<ScpPage<TaskSummary>> {
    const pending = this.#transport.http.GET("/janus/20180725/tasks", { params: { query }, ...init(options) });
    return unwrapData(pending, TaskPage);
  }

  /** Iterates over every task matching the query, a page at a time. */
  listAll(
    query: Omit<TaskListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<TaskSummary, void, undefined> {
    return paginate((page_num) => this.list({ page_size: 100, ...query, page_num }, options));
  }

  /**
   * Waits until the task finishes.
   * @throws {@link ScpTaskError} when it fails, is canceled or runs out of time.
   */
  wait(ref: TaskRef | string, options?: WaitOptions): Promise<Task> {
    return waitForTask(this, typeof ref === "string" ? ref : ref.taskId, options);
  }

  /**
   * Waits until all the tasks finish, polling them together.
   * @throws {@link ScpTaskError} for the first that fails, is canceled or runs out of time.
   */
  waitAll(refs: readonly (TaskRef | string)[], options?: WaitOptions): Promise<Task[]> {
    return waitForTasks(
      this,
      refs.map((r) => (typeof r === "string" ? r : r.taskId)),
      options,
    );
  }
}
