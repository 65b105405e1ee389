import { taskStatusValues } from "../../generated/schema.js";
import { callerOf, type Handler } from "../context.js";
import type { SimTask } from "../model.js";
import { paginate } from "../paging.js";
import { enumParam, interned, uuidParam } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { taskStatus, taskSummary, taskView } from "../tasks.js";
import { parseScpTime } from "../time.js";

/** `GET /janus/20180725/tasks/{task_id}`. */
const getTask: Handler = (ctx) => {
  const caller = callerOf(ctx);
  const task = ctx.world.tasks.get(ctx.params.task_id ?? "");
  if (!task || (caller.roleType !== "admin" && task.project_id !== caller.projectId)) {
    throw new SimHttpError(404, `task ${ctx.params.task_id ?? ""} does not exist`);
  }
  return ok(ctx.envelope, taskView(task, ctx.nowMs));
};

/** `GET /janus/20180725/tasks`, newest first. */
const listTasks: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const caller = callerOf(ctx);
  const status = enumParam(q, "status", taskStatusValues);
  const azId = uuidParam(q, "az_id");
  const begin = timeParam(q, "begin_time");
  const end = timeParam(q, "end_time");
  const exact = (["object_id", "object_type", "project_id"] as const)
    .filter((k) => q.has(k))
    .map((k) => [k, interned(q.get(k) ?? "")] as const);
  const matches = (t: SimTask): boolean =>
    (caller.roleType === "admin" || t.project_id === caller.projectId) &&
    (status === undefined || taskStatus(t, ctx.nowMs) === status) &&
    (azId === undefined || t.az_id === azId) &&
    (begin === undefined || t.beginMs >= begin) &&
    (end === undefined || t.beginMs <= end) &&
    exact.every(([k, v]) => t[k] === v);
  const objectId = q.get("object_id");
  // An object's own tasks when it is named: a fleet's thousands of tasks are not scanned per poll.
  const candidates = objectId === null ? ctx.world.tasks.all() : ctx.world.tasks.ofObject(objectId);
  const newestFirst: SimTask[] = [];
  for (let i = candidates.length - 1; i >= 0; i--) {
    const task = candidates[i] as SimTask;
    if (matches(task)) {
      newestFirst.push(task);
    }
  }
  return ok(
    ctx.envelope,
    paginate(newestFirst, q, (t) => taskSummary(t, ctx.nowMs)),
  );
};

function timeParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null) {
    return undefined;
  }
  const ms = parseScpTime(text);
  if (ms === undefined) {
    throw new SimHttpError(400, `${name} must look like YYYY-MM-DD HH:MM:SS`);
  }
  return ms;
}

/** Handlers of the task reads. */
export const taskHandlers: Readonly<Record<string, Handler>> = {
  getOperationLogDetail: getTask,
  listOperationLogs: listTasks,
};
