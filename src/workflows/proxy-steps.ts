import { z } from "zod";
import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors.js";
import type { Server, Task } from "../types.js";
import { parseInput } from "../validate.js";
import { BACKUP_PROXY_OS_NAME } from "./marker.js";
import { applyOnce, pollUntil, requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

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

async function setOsName(scp: ScpClient, serverId: string, osName: string, options: StepOptions): Promise<void> {
  const config = await scp.servers.get(serverId, requestOptions(options));
  if (config.os_name === osName) {
    return;
  }
  const applied = async () => (await scp.servers.get(serverId, requestOptions(options))).os_name === osName;
  const ref = await applyOnce(
    () => scp.servers.update(serverId, { os_name: osName }, requestOptions(options)),
    applied,
  );
  if (ref) {
    await scp.tasks.wait(ref, waitOptions(options));
  }
  if (!(await applied())) {
    throw new ScpStateError({
      resource: `server ${serverId}`,
      expected: `os_name "${osName}"`,
      actual: "a different os_name after the edit",
    });
  }
}

/**
 * Marks a VM as a backup proxy (`os_name` "Backup Proxy"), waiting for the edit; does nothing if it already is.
 * @throws {@link ScpUnsupportedVersionError} on SCP older than 6.11.3.
 */
export async function markAsBackupProxy(scp: ScpClient, serverId: string, options: StepOptions = {}): Promise<void> {
  await scp.system.requireVersion(OS_NAME_MIN_VERSION, "marking a VM as a backup proxy", requestOptions(options));
  await setOsName(scp, serverId, BACKUP_PROXY_OS_NAME, options);
}

/** Marks the VM as a backup proxy without the version check; for workflows that checked it already. @internal */
export function markAsBackupProxyUnchecked(scp: ScpClient, serverId: string, options: StepOptions): Promise<void> {
  return setOsName(scp, serverId, BACKUP_PROXY_OS_NAME, options);
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
  const { osName } = parseInput(UnmarkInput, input, "unmarkBackupProxy input");
  await scp.system.requireVersion(OS_NAME_MIN_VERSION, "unmarking a backup proxy", requestOptions(options));
  await setOsName(scp, serverId, osName, options);
}

/**
 * Waits until a VM runs with vmtools installed, and returns it as the list shows it.
 * @throws {@link ScpStateError} when it is not running, vmtools failed or is unsupported, or time runs out.
 */
export function waitForVmtools(scp: ScpClient, serverId: string, options: StepOptions = {}): Promise<Server> {
  const read = async () => {
    const server = await scp.servers.find(serverId, requestOptions(options));
    if (!server) {
      throw new ScpStateError({ resource: `server ${serverId}`, expected: "to exist", actual: "no such VM" });
    }
    return server;
  };
  return pollUntil(
    read,
    {
      done: (s) => s.power_state === "on" && s.vtool_installed === 1,
      failed: (s) =>
        s.power_state === "off" && s.status === "stopped"
          ? "the VM is stopped"
          : VMTOOLS_FAILED[s.vtool_installed ?? 0],
      resource: `server ${serverId}`,
      expected: "running with vmtools installed",
      describe: (s) => `power ${s.power_state ?? "?"}, vtool_installed ${s.vtool_installed ?? "?"}`,
    },
    options,
  );
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
  const server = await waitForVmtools(scp, serverId, options);
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
