import {
  ScpApiError,
  ScpPreflightError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../index.js";

/** The exit codes of scp-proxy, as docs/cli.md lists them. */
export const EXIT = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** It failed: a step, the network, a task, the platform's server side. */
  failed: 1,
  /** Bad input (flags, environment, the spec file); nothing was sent, or the platform was only read. */
  badInput: 2,
  /** Refused by the platform (a 4xx answer) or by a workflow's preflight (including an SCP too old). */
  refused: 3,
});

/** 128 + the signal's number, as shells report a process a signal stopped. */
export const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

/** One problem with the input: where (a field path, flag or variable) and what. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/** Bad input found by the CLI: a flag, the environment or a spec file. `source` names the file, when one. */
export class CliInputError extends Error {
  override readonly name = "CliInputError";

  constructor(
    readonly issues: readonly InputIssue[],
    readonly source?: string,
  ) {
    super(issues.map((i) => `${source ? `${source}: ` : ""}${i.path}: ${i.message}`).join("; "));
  }
}

/** Whether an error is the platform (a 4xx answer) or a preflight saying no. */
function refused(error: unknown): boolean {
  return (
    error instanceof ScpPreflightError ||
    error instanceof ScpUnsupportedVersionError ||
    (error instanceof ScpApiError && error.status >= 400 && error.status < 500)
  );
}

/** The exit code for an error a command ended with (a workflow that failed on a refusal counts as refused). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliInputError || error instanceof ScpValidationError) {
    return EXIT.badInput;
  }
  if (refused(error) || (error instanceof ScpWorkflowError && refused(error.cause))) {
    return EXIT.refused;
  }
  return EXIT.failed;
}
