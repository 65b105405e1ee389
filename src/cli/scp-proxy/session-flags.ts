import type { Command } from "commander";
import { STATE_DIR_ENV, WORKFLOW_DEFAULTS } from "../../index.js";
import { agentDir } from "./agent-files.js";
import { CliInputError } from "./exit-codes.js";
import { wholeNumber } from "./flags.js";
import type { HoldFlags } from "./held-session.js";

/** The flags of `backup session` and `restore session` alike. */
export interface HeldFlags extends HoldFlags {
  proxy?: string;
  lockTimeMs?: number;
  renewMarginMs?: number;
  stateDir?: string;
}

/** Session input and option fields, by the flag or argument that sets each. */
export const SESSION_FIELDS = {
  serverId: "<vm>",
  proxyId: "--proxy",
  sinceCheckpointId: "--since",
  newServer: "--new-vm-from",
};

/** Adds the flags every held session takes: proxy, lock, the agent's files, how it is released, the journal. */
export function addHoldFlags(command: Command, commitHelp: string): Command {
  const lock = `how long the lock holds between renewals, whole seconds from 60000 to 7200000 (default ${WORKFLOW_DEFAULTS.lockTimeMs})`;
  return command
    .option("--proxy <serverId>", "attach to this proxy (default: picked, as `backup check` shows)")
    .option("--lock-time-ms <ms>", lock, wholeNumber)
    .option(
      "--renew-margin-ms <ms>",
      "renew once the lock has less than this left (default: a third, >= 30000)",
      wholeNumber,
    )
    .option("--changed-areas <dir>", "write the agent's files there: session.json, and <disk>.jsonl of changed areas")
    .option("--hold-seconds <n>", "release after this long (then the end of stdin does not release)", wholeNumber)
    .option("--commit", commitHelp)
    .option(
      "--state-dir <path>",
      `where the session's journal goes, for sweep (default: ${STATE_DIR_ENV}, else a cache dir)`,
    );
}

/** The agent's directory, made before anything connects; refused (exit 2) when it cannot be. */
export async function agentDirOf(flags: HoldFlags): Promise<string | undefined> {
  const dir = flags.changedAreas;
  if (dir === undefined) {
    return undefined;
  }
  try {
    return await agentDir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unwritable";
    throw new CliInputError([{ path: "--changed-areas", message: `cannot make ${dir} (${code})` }]);
  }
}
