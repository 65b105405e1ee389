/** What ends a run of scp-sim. */
export type StopReason = "SIGINT" | "SIGTERM" | "SIGHUP" | "parent exited";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** How often the parent process is looked for; a stop then takes at most this long to notice. */
const PARENT_POLL_MS = 500;

/**
 * Stops a long-running CLI cleanly: on SIGINT, SIGTERM or SIGHUP, and (unless told not to) when the process that
 * started it goes away, as `npm run` does when it is killed: npm dies, its child lives on, re-parented. Create it
 * before acquiring anything, register an undo step right after each acquisition, and check {@link stopping} after
 * every await of the start-up: a signal that arrives mid-start then still undoes what was made.
 */
export class Shutdown {
  readonly #undo: (() => Promise<unknown>)[] = [];
  readonly #parentWatch: NodeJS.Timeout | undefined;
  #reason: StopReason | undefined;
  #wake: (reason: StopReason) => void = () => {};
  /** Resolves with the reason once a stop is asked for. */
  readonly requested: Promise<StopReason>;

  constructor(options: { watchParent: boolean }) {
    this.requested = new Promise((resolve) => {
      this.#wake = resolve;
    });
    for (const signal of SIGNALS) {
      process.on(signal, () => this.#request(signal));
    }
    // A parent that went away may have taken our stdout's reader with it: writing must not crash the clean-up.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    const parent = process.ppid;
    // A parent of 0 or 1 is no parent to outlive (a container's init, or started detached on purpose).
    if (options.watchParent && parent > 1) {
      this.#parentWatch = setInterval(() => {
        if (process.ppid !== parent) {
          this.#request("parent exited");
        }
      }, PARENT_POLL_MS);
      this.#parentWatch.unref();
    }
  }

  /** Why the process is stopping; undefined while it runs. */
  get stopping(): StopReason | undefined {
    return this.#reason;
  }

  /** Registers how to undo one start-up step; steps are undone last first. */
  add(undo: () => Promise<unknown>): void {
    this.#undo.push(undo);
  }

  /** Undoes every registered step (each one even if another fails) and exits with `code`. */
  async finish(code = 0): Promise<never> {
    clearInterval(this.#parentWatch);
    for (const undo of this.#undo.reverse()) {
      await undo().catch(() => undefined);
    }
    process.exit(code);
  }

  #request(reason: StopReason): void {
    if (this.#reason === undefined) {
      this.#reason = reason;
      this.#wake(reason);
    }
  }
}
