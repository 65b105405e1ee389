/** One job of an orchestration: commands run in some VMs' guests. @internal */
export interface OrchestrationJob {
  /** Job name, shown in SCP's task log. */
  name: string;
  /** Numeric HCI VM ids (the list's `vm_id`), not the UUIDs. */
  vmIds: readonly string[];
  /** Shell command (or script) to run in each guest. */
  command: string;
}

// JSON string syntax is valid YAML double-quoted syntax, escapes included.
const quote = (text: string): string => JSON.stringify(text);

/**
 * Writes SCP's orchestration YAML (`type: oneshot`, jobs of VMs and command tasks) and base64-encodes it for
 * `encoded_tasks`.
 * @internal
 */
export function encodeOrchestration(job: OrchestrationJob): string {
  const lines = [
    "type: oneshot",
    "orchestration_version: 1",
    "jobs:",
    `  - name: ${quote(job.name)}`,
    "    vms:",
    ...job.vmIds.map((id) => `      - ${id}`),
    "    tasks:",
    `      - name: ${quote(job.name)}`,
    "        block:",
    "          - name: run",
    "            action: command",
    "            args:",
    `              cmd: ${quote(job.command)}`,
  ];
  return Buffer.from(`${lines.join("\n")}\n`, "utf8").toString("base64");
}
