import { createInterface, type Interface } from "node:readline";

/** Why a held session was let go: a line on stdin (Enter), the end of stdin, or the `--hold-seconds` time. */
export type Release = "enter" | "stdin-end" | "hold-seconds";

/** Resolves when the signal aborts (at once when it has). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
    } else {
      signal.addEventListener("abort", () => resolve(), { once: true });
    }
  });
}

/**
 * What the operator types while a session is held: each line of stdin, and its end. Read as lines (not raw keys),
 * so Ctrl-C on a terminal stays a SIGINT for the run's interrupt.
 */
export class OperatorInput {
  readonly #rl: Interface;
  readonly #lines: string[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(readonly stdin: NodeJS.ReadStream = process.stdin) {
    this.#rl = createInterface({ input: stdin, terminal: false });
    this.#rl.on("line", (line) => {
      this.#lines.push(line);
      this.#wake?.();
    });
    this.#rl.on("close", () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** True once stdin has ended (nothing more can be asked). */
  get ended(): boolean {
    return this.#ended && this.#lines.length === 0;
  }

  /** The next line; undefined once stdin has ended, or when `stop` aborts first. */
  async next(stop: AbortSignal): Promise<string | undefined> {
    while (this.#lines.length === 0 && !this.#ended && !stop.aborted) {
      await Promise.race([new Promise<void>((resolve) => (this.#wake = resolve)), aborted(stop)]);
      this.#wake = undefined;
    }
    return stop.aborted ? undefined : this.#lines.shift();
  }

  /** Stops reading stdin. */
  close(): void {
    this.#rl.close();
  }
}

/**
 * Holds until the operator lets go: a line on stdin, the end of stdin (unless a hold time is given, so a run whose
 * stdin is /dev/null holds for that time), or the hold time. Resolves undefined when `ended` aborts first (the lock
 * was lost, or the run interrupted): the caller reads why from that signal.
 */
export async function holdUntilReleased(
  input: OperatorInput,
  options: { ended: AbortSignal; holdMs: number | undefined },
): Promise<Release | undefined> {
  const { ended, holdMs } = options;
  const timeUp = new AbortController();
  // A timer of our own: AbortSignal.timeout's does not keep the process alive while it waits.
  const timer = holdMs === undefined ? undefined : setTimeout(() => timeUp.abort(), holdMs);
  const stop = AbortSignal.any([ended, timeUp.signal]);
  try {
    const line = await input.next(stop);
    if (line === undefined && !stop.aborted && holdMs !== undefined) {
      await aborted(stop);
    }
    if (ended.aborted) {
      return undefined;
    }
    if (timeUp.signal.aborted) {
      return "hold-seconds";
    }
    return line === undefined ? "stdin-end" : "enter";
  } finally {
    clearTimeout(timer);
  }
}

/** Asks a yes/no question on a terminal (stderr); false without one, or when stdin ends first. */
export async function confirm(input: OperatorInput, question: string, signal: AbortSignal): Promise<boolean> {
  if (input.stdin.isTTY !== true || input.ended) {
    return false;
  }
  process.stderr.write(`${question} [y/N] `);
  const answer = await input.next(signal);
  return /^\s*y(es)?\s*$/i.test(answer ?? "");
}
