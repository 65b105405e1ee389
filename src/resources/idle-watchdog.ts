import { ScpTimeoutError } from "../errors/call.js";
import { timerDelay } from "../validate.js";

/** How many looks at a watched backlog one idle period takes: a stall is noticed within 1.25 idle periods. */
const LOOKS_PER_PERIOD = 4;

/**
 * Aborts when nothing moves for `idleMs`. Movement is a `touch()` (a chunk read or received) or, once a backlog is
 * watched, a change in it: an upload's bytes leaving the socket's queues, which no chunk shows while they drain.
 * @internal
 */
export class IdleWatchdog {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #reason: () => Error;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #movedAt = 0;
  #backlog: (() => Promise<string | undefined>) | undefined;
  #seen: string | undefined;
  /** Bumped by `watch()` and `stop()`: a look begun before either ends without a trace. */
  #generation = 0;
  /** Waits under way that are not the transfer's (see `hold`). */
  #holds = 0;
  #stopped = false;

  /** Unarmed until the first `touch()`. */
  constructor(idleMs: number, reason: () => Error) {
    this.#idleMs = idleMs;
    this.#reason = reason;
  }

  /** Aborted when the transfer stalls. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something moved: the idle period starts again (and the timer starts, the first time). */
  touch(): void {
    this.#movedAt = Math.max(this.#movedAt, performance.now());
    if (this.#timer === undefined && this.#idleMs > 0 && !this.#stopped) {
      this.#arm(this.#idleMs);
    }
  }

  /**
   * From now on, a change in `backlog`'s answer counts as movement too (an attempt's socket; replaces the last). An
   * undefined answer tells nothing.
   */
  watch(backlog: () => Promise<string | undefined>): void {
    this.#backlog = backlog;
    this.#seen = undefined;
    this.#generation++;
    if (this.#timer !== undefined && !this.#stopped) {
      clearTimeout(this.#timer);
      this.#arm(this.#step());
    }
  }

  /**
   * Nothing is expected to move until the returned function is called (the transport waits to try again, or for a
   * login): the idle period starts again after it.
   */
  hold(): () => void {
    this.#holds++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        this.#holds--;
        this.#movedAt = Math.max(this.#movedAt, performance.now());
      }
    };
  }

  /** Disarms the timer for good. */
  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => void this.#look(), timerDelay(Math.max(1, Math.ceil(ms))));
  }

  /** At the end of a period, or a look's worth into it while a backlog is watched: go on, or abort. */
  async #look(): Promise<void> {
    const backlog = this.#backlog;
    let baseline = false;
    if (backlog !== undefined) {
      const generation = this.#generation;
      const seen = await backlog().catch(() => undefined);
      if (generation !== this.#generation) {
        // watch() armed a look of its own, or stop() ended them all.
        return;
      }
      if (seen !== undefined) {
        // The first answer is only a baseline: whether it moved shows at the next look.
        baseline = this.#seen === undefined;
        if (!baseline && seen !== this.#seen) {
          this.#movedAt = Math.max(this.#movedAt, performance.now());
        }
        this.#seen = seen;
      }
    }
    const left = this.#holds > 0 ? this.#idleMs : this.#movedAt + this.#idleMs - performance.now();
    if (left <= 0 && !baseline) {
      this.#controller.abort(this.#reason());
      return;
    }
    this.#arm(backlog === undefined ? left : left <= 0 ? this.#step() : Math.min(left, this.#step()));
  }

  #step(): number {
    return this.#idleMs / LOOKS_PER_PERIOD;
  }
}

/**
 * The watchdog of one transfer call, failing it with an idle `ScpTimeoutError`, and the call's overrides that let the
 * transport hold it through its waits and tell it the call's id (which the error then carries).
 * @internal
 */
export function transferWatchdog(method: "GET" | "PUT", path: string, idleMs: number) {
  let requestId: string | undefined;
  const watchdog = new IdleWatchdog(
    idleMs,
    () => new ScpTimeoutError({ method, path, timeoutMs: idleMs, idle: true, requestId }),
  );
  const overrides = {
    holdIdle: () => watchdog.hold(),
    onRequestId: (id: string) => {
      requestId = id;
    },
  };
  return { watchdog, overrides };
}

/** One signal that aborts when any of the given ones does. @internal */
export function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
