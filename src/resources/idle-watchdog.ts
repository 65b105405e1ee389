import { timerDelay } from "../validate.js";

/** Aborts when no byte moves for `idleMs`; every chunk re-arms it. @internal */
export class IdleWatchdog {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #reason: () => Error;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Unarmed until the first `touch()`. */
  constructor(idleMs: number, reason: () => Error) {
    this.#idleMs = idleMs;
    this.#reason = reason;
  }

  /** Aborted when the transfer stalls. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something moved: re-arms the timer. */
  touch(): void {
    clearTimeout(this.#timer);
    if (this.#idleMs > 0) {
      this.#timer = setTimeout(() => this.#controller.abort(this.#reason()), timerDelay(this.#idleMs));
    }
  }

  /** Disarms the timer for good. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}

/** One signal that aborts when any of the given ones does. @internal */
export function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
