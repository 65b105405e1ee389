import type { SubTask, Task, TaskStatus, TaskSummary } from "../generated/schema.js";
import { callerOf, type HandlerContext } from "./context.js";
import type { SimTask } from "./model.js";
import { scpTime } from "./time.js";

/** What an asynchronous operation does when its task ends. */
export interface TaskSpec {
  /** Action name shown on the task. */
  readonly action: string;
  /** The object the task works on. */
  readonly object: { readonly id: string; readonly name: string; readonly type: string };
  /** Pool of the object. */
  readonly azId: string;
  /** One sub-task per pool listed here (image distribution). */
  readonly subTaskAzIds?: readonly string[];
  /** A failure the handler already knows of (the task still runs its course, then fails). */
  readonly failReason?: string | undefined;
  /** Applies the change, at the task's end time. */
  readonly onFinish?: (atMs: number) => void;
  /** Rolls back or marks the failure, at the task's end time. */
  readonly onFailure?: (atMs: number, reason: string) => void;
}

/** The fraction of a task's time spent `waiting` before it turns `doing`. */
const WAITING_SHARE = 0.1;

/** Starts a task: registered now, ended (effects applied once) by the scheduler after its duration. */
export function startTask(ctx: HandlerContext, spec: TaskSpec): SimTask {
  const { world } = ctx;
  const taskFaults = ctx.taskFaults();
  // A slow task is slow even when tasks are instant (0 ms, as in unit tests): it scales at least 100 ms.
  const base = taskFaults.factor === 1 ? world.options.taskDurationMs : Math.max(world.options.taskDurationMs, 100);
  const task = newTask(ctx, spec, base * taskFaults.factor + taskFaults.extraMs, taskFaults.stuck);
  world.tasks.add(task);
  const reason = spec.failReason ?? taskFaults.failReason;
  if (!task.stuck) {
    world.scheduler.at(ctx.nowMs + task.durationMs, (atMs) => {
      task.endMs = atMs;
      if (reason === undefined) {
        task.outcome = "finish";
        spec.onFinish?.(atMs);
      } else {
        task.outcome = "failure";
        task.description = reason;
        spec.onFailure?.(atMs, reason);
      }
    });
  }
  return task;
}

function newTask(ctx: HandlerContext, spec: TaskSpec, durationMs: number, stuck: boolean): SimTask {
  const { world } = ctx;
  const caller = callerOf(ctx);
  return {
    task_id: world.random.uuid(),
    action: spec.action,
    object_id: spec.object.id,
    object_name: spec.object.name,
    object_type: spec.object.type,
    az_id: spec.azId,
    project_id: caller.projectId,
    user_id: caller.userId,
    beginMs: ctx.nowMs,
    durationMs,
    stuck,
    subTasks: (spec.subTaskAzIds ?? []).map((azId) => ({
      task_id: world.random.uuid(),
      action: spec.action,
      az_id: azId,
      object_id: spec.object.id,
    })),
    outcome: "pending",
    description: `${spec.action} ${spec.object.name}`,
    endMs: undefined,
  };
}

/** Status of a task at `nowMs` (what task lists filter on; no progress computed). */
export function taskStatus(task: SimTask, nowMs: number): TaskStatus {
  if (task.outcome !== "pending") {
    return task.outcome;
  }
  return nowMs - task.beginMs < task.durationMs * WAITING_SHARE ? "waiting" : "doing";
}

/** Status and progress of a task at `nowMs`: waiting (−2) → doing (0–99) → finish (100) / failure (−1). */
export function taskProgress(task: SimTask, nowMs: number): { status: TaskStatus; progress: number } {
  const status = taskStatus(task, nowMs);
  switch (status) {
    case "finish":
      return { status, progress: 100 };
    case "failure":
      return { status, progress: -1 };
    case "waiting":
      return { status, progress: -2 };
    default:
      return {
        status,
        progress: Math.min(99, Math.floor((100 * (nowMs - task.beginMs)) / Math.max(task.durationMs, 1))),
      };
  }
}

/** The task as `GET /janus/20180725/tasks/{task_id}` shows it. */
export function taskView(task: SimTask, nowMs: number): Task {
  const { status, progress } = taskProgress(task, nowMs);
  const times = { begin_time: scpTime(task.beginMs), end_time: task.endMs === undefined ? "" : scpTime(task.endMs) };
  const subTasks: SubTask[] = task.subTasks.map((sub) => ({
    ...sub,
    status,
    progress,
    object_type: task.object_type,
    description: task.outcome === "failure" ? task.description : "",
    ...times,
    entities: { object_id: sub.object_id },
  }));
  return {
    task_id: task.task_id,
    action: task.action,
    status,
    progress,
    description: task.description,
    object_id: task.object_id,
    object_name: task.object_name,
    object_type: task.object_type,
    ...times,
    cancelable: 0,
    creator_id: task.user_id,
    user_id: task.user_id,
    user_ip: "127.0.0.1",
    project_id: task.project_id,
    entities: { object_id: task.object_id, sub_tasks_total: subTasks.length, sub_tasks: subTasks },
  };
}

/** The task as the task list shows it. */
export function taskSummary(task: SimTask, nowMs: number): TaskSummary {
  const { status, progress } = taskProgress(task, nowMs);
  return {
    id: task.task_id,
    action: task.action,
    status,
    progress,
    description: task.description,
    object_id: task.object_id,
    object_type: task.object_type,
    az_id: task.az_id,
    project_id: task.project_id,
    user_id: task.user_id,
    begin_time: scpTime(task.beginMs),
    end_time: task.endMs === undefined ? "" : scpTime(task.endMs),
  };
}
