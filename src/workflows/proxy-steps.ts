import { z } from "zod";
import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors/workflow.js";
import { type PollVerdict, pollOne } from "../tasks/poller.js";
import { scheduleOf } from "../tasks/schedule.js";
import type { Server, Task } from "../types.js";
import { parseClient, parseInput, ScpIdSchema } from "../validate.js";
import { BACKUP_PROXY_OS_NAME } from "./marker.js";
import { describeServer } from "./server-watch.js";
import { requestOptions, runTask, type StepOptions, StepOptionsSchema, waitOptions } from "./step-helpers.js";

/** The SCP release that first lets a VM's `os_name` be edited. */
export const OS_NAME_MIN_VERSION = "6.11.3";

const UnmarkInput = z.object({
  osName: z
    .string()
    .trim()
    .min(1)
    .refine((n) => n !== BACKUP_PROXY_OS_NAME, "must be an OS name other than Backup Proxy"),
});

const VMTOOLS_FAILED: Readonly<Record<number, string>> = {
  [-1]: "vmtools installation failed",
  [-2]: "vmtools not supported by this guest",
};

const ServerIdSchema = ScpIdSchema;
const ScriptSchema = z
  .string()
  .min(1)
  .max(64 * 1024);

/** Checks a public step's VM id and options before any request. */
function checkStep(name: string, scp: unknown, serverId: unknown, options: unknown): void {
  parseClient(scp, `${name} client`);
  parseInput(ServerIdSchema, serverId, `${name} server id`);
  parseInput(StepOptionsSchema, options, `${name} options`);
}

async function setOsName(scp: ScpClient, serverId: string, osName: string, options: StepOptions): Promise<void> {
  const config = await scp.servers.get(serverId, requestOptions(options));
  if (config.os_name === osName) {
    return;
  }
  const applied = async () => (await scp.servers.get(serverId, requestOptions(options))).os_name === osName;
  await runTask(
    scp,
    () => scp.servers.update(serverId, { os_name: osName }, requestOptions(options)),
    applied,
    options,
  );
  if (!(await applied())) {
    throw new ScpStateError({
      resource: `server ${serverId}`,
      expected: `os_name "${osName}"`,
      actual: "a different os_name after the edit",
    });
  }
}

/** What a vmtools wait makes of the VM as listed: running with vmtools, never going to be, or not yet. @internal */
export function vmtoolsVerdict(server: Server | undefined): PollVerdict<Server> {
  if (!server) {
    return { fail: new ScpStateError({ resource: "server", expected: "to exist", actual: "no such VM" }) };
  }
  if (server.power_state === "on" && server.vtool_installed === 1) {
    return { done: server };
  }
  const failure =
    server.power_state === "off" && server.status === "stopped"
      ? "the VM is stopped"
      : VMTOOLS_FAILED[server.vtool_installed ?? 0];
  const expected = "running with vmtools installed";
  return failure
    ? { fail: new ScpStateError({ resource: `server ${server.id}`, expected, actual: failure }) }
    : undefined;
}

/**
 * Marks a VM as a backup proxy (`os_name` "Backup Proxy"), waiting for the edit; does nothing if it already is.
 * @throws {@link ScpUnsupportedVersionError} on SCP older than 6.11.3.
 */
export async function markAsBackupProxy(scp: ScpClient, serverId: string, options: StepOptions = {}): Promise<void> {
  checkStep("markAsBackupProxy", scp, serverId, options);
  await scp.system.requireVersion(OS_NAME_MIN_VERSION, "marking a VM as a backup proxy", requestOptions(options));
  await setOsName(scp, serverId, BACKUP_PROXY_OS_NAME, options);
}

/**
 * Stops a VM from being a backup proxy by giving it another `os_name` (such as its real OS name).
 * @throws {@link ScpUnsupportedVersionError} on SCP older than 6.11.3.
 */
export async function unmarkBackupProxy(
  scp: ScpClient,
  serverId: string,
  input: { osName: string },
  options: StepOptions = {},
): Promise<void> {
  checkStep("unmarkBackupProxy", scp, serverId, options);
  const { osName } = parseInput(UnmarkInput, input, "unmarkBackupProxy input");
  await scp.system.requireVersion(OS_NAME_MIN_VERSION, "unmarking a backup proxy", requestOptions(options));
  await setOsName(scp, serverId, osName, options);
}

/**
 * Waits until a VM runs with vmtools installed, and returns it as the list shows it.
 * @throws {@link ScpStateError} when it is not running, vmtools failed or is unsupported, or time runs out.
 */
export async function waitForVmtools(scp: ScpClient, serverId: string, options: StepOptions = {}): Promise<Server> {
  checkStep("waitForVmtools", scp, serverId, options);
  return vmtoolsOf(scp, serverId, options);
}

function vmtoolsOf(scp: ScpClient, serverId: string, options: StepOptions): Promise<Server> {
  const expected = "running with vmtools installed";
  return pollOne<Server | undefined, Server>(() => scp.servers.find(serverId, requestOptions(options)), {
    judge: vmtoolsVerdict,
    timeout: (last) => new ScpStateError({ resource: `server ${serverId}`, expected, actual: describeServer(last) }),
    schedule: scheduleOf(options, true),
  });
}

/** What a guest script run produced. */
export interface GuestScriptResult {
  /** The orchestration task. */
  taskId: string;
  /** The finished task (SCP returns no command output). */
  task: Task;
}

/**
 * Runs a script in a running VM's guest once vmtools reports installed, and waits for the task.
 * @throws {@link ScpStateError} when the VM is stopped or vmtools is unavailable; {@link ScpTaskError} when the script fails.
 */
export async function runGuestScript(
  scp: ScpClient,
  serverId: string,
  script: string,
  options: StepOptions = {},
): Promise<GuestScriptResult> {
  checkStep("runGuestScript", scp, serverId, options);
  parseInput(ScriptSchema, script, "runGuestScript script");
  const server = await vmtoolsOf(scp, serverId, options);
  if (!server.vm_id || !server.az_id) {
    throw new ScpStateError({
      resource: `server ${serverId}`,
      expected: "a numeric vm_id and a pool",
      actual: "none listed",
    });
  }
  const ref = await scp.guest.run(
    { azId: server.az_id, vmIds: [server.vm_id], command: script },
    requestOptions(options),
  );
  return { taskId: ref.taskId, task: await scp.tasks.wait(ref, waitOptions(options)) };
}
