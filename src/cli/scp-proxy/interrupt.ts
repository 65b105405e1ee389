import { SIGNAL_EXIT } from "./exit-codes.js";

type Stop = keyof typeof SIGNAL_EXIT;

/**
 * Turns Ctrl-C (SIGINT) or SIGTERM into an abort of the command's `AbortSignal`, the one the SDK's calls and
 * workflows take, so a workflow stops and still removes what it made. A second signal exits at once, without
 * waiting for that clean-up.
 */
export class Interrupt {
  readonly #controller = new AbortController();
  readonly #handlers = new Map<Stop, () => void>();
  #received: Stop | undefined;

  /** `notify` tells what happens; with `last`, the process exits right after it returns. */
  constructor(notify: (text: string, last: { exitCode: number } | undefined) => void) {
    for (const name of Object.keys(SIGNAL_EXIT) as Stop[]) {
      const handler = () => this.#receive(name, notify);
      this.#handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The exit code that says which signal stopped the run; undefined when none did. */
  get exitCode(): number | undefined {
    return this.#received === undefined ? undefined : SIGNAL_EXIT[this.#received];
  }

  /** Stops listening (the process's default handling comes back). */
  dispose(): void {
    for (const [name, handler] of this.#handlers) {
      process.off(name, handler);
    }
  }

  #receive(name: Stop, notify: (text: string, last: { exitCode: number } | undefined) => void): void {
    if (this.#received !== undefined) {
      const exitCode = SIGNAL_EXIT[name];
      notify(`${name} again: exiting now, without waiting for the clean-up (what it has not removed remains)`, {
        exitCode,
      });
      process.exit(exitCode);
    }
    this.#received = name;
    const reason = new Error(`interrupted by ${name}`);
    reason.name = "AbortError";
    const again = name === "SIGINT" ? "Ctrl-C" : name;
    notify(`${name}: stopping; what this run made is being removed (${again} again exits at once)`, undefined);
    this.#controller.abort(reason);
  }
}
