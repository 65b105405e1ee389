import type { ScpClient } from "../client.js";
import { ScpNotFoundError } from "../errors/api.js";
import { ScpTaskError } from "../errors/call.js";
import type { PollVerdict } from "../tasks/poller.js";
import type { Server, TaskSummary } from "../types.js";
import { ServerWatch } from "./server-watch.js";
import { applyOnce, requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

/** Task actions that delete a VM (the simulator says `delete_server`; SCP's wording is not documented). */
const DELETE_ACTION = /delet/i;

/**
 * The newest delete task of the VM, when it failed. It is ours: SCP registers a delete's task before answering
 * the DELETE, so any older one was registered before we sent ours.
 */
async function failedDelete(scp: ScpClient, serverId: string, options: StepOptions): Promise<ScpTaskError | undefined> {
  const page = await scp.tasks.list({ object_id: serverId, page_size: 20 }, requestOptions(options));
  const newest = page.items
    .filter((t) => DELETE_ACTION.test(t.action ?? ""))
    .sort((a: TaskSummary, b: TaskSummary) => (b.begin_time ?? "").localeCompare(a.begin_time ?? ""))[0];
  if (newest?.status !== "failure") {
    return undefined;
  }
  const task = await scp.tasks.get(newest.id, requestOptions(options));
  return new ScpTaskError({ taskId: newest.id, reason: "failed", task });
}

/** Gone when no longer listed; while listed and not `deleting`, a failed delete task says why it never will be. */
function judgeGone(scp: ScpClient, serverId: string, options: StepOptions) {
  return async (server: Server | undefined): Promise<PollVerdict<void>> => {
    if (server === undefined) {
      return { done: undefined };
    }
    if (server.status === "deleting") {
      return undefined;
    }
    const failed = await failedDelete(scp, serverId, options);
    return failed ? { fail: failed } : undefined;
  };
}

/**
 * Deletes a VM for good and waits until it is gone: by its task, or, when SCP answered 204 without one, by
 * watching the list (shared with other waits on `watch`), where a failed delete task ends the wait with its
 * reason instead of running into `maxWaitMs`.
 * @throws {@link ScpTaskError} when the delete fails; {@link ScpStateError} when the VM is still there at `maxWaitMs`.
 * @internal
 */
export async function deleteServerAndWait(
  scp: ScpClient,
  serverId: string,
  options: StepOptions,
  watch: ServerWatch = new ServerWatch(scp),
): Promise<void> {
  const req = requestOptions(options);
  const gone = async () => (await scp.servers.find(serverId, req)) === undefined;
  let ref: { taskId: string | undefined } | undefined;
  try {
    ref = await applyOnce(() => scp.servers.delete(serverId, { force: true }, req), gone);
  } catch (error) {
    // A 404 (say, to a retry of a delete that applied) means going, not necessarily gone: wait for it below.
    if (!(error instanceof ScpNotFoundError)) {
      throw error;
    }
  }
  if (ref?.taskId) {
    await scp.tasks.wait(ref.taskId, waitOptions(options));
    return;
  }
  await watch.until(
    serverId,
    judgeGone(scp, serverId, options),
    { resource: `server ${serverId}`, expected: "deleted" },
    options,
  );
}
