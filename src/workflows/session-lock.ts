import type { ScpClient } from "../client.js";
import { ScpNotFoundError } from "../errors/api.js";
import { type ScpSessionLossReason, ScpSessionLostError } from "../errors/session.js";
import { sleep } from "../sleep.js";
import { type StepOptions, waitOptions } from "./step-helpers.js";

/** Time as a session sees it: inject one to drive lock renewal in tests (with the simulator's `clock`). */
export interface SessionClock {
  /** Now, in ms since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. @internal */
export const SYSTEM_CLOCK: SessionClock = Object.freeze({ now: () => Date.now(), sleep });

/** Shortest margin before a lock runs out at which it is renewed. */
const MIN_MARGIN_MS = 30_000;
/** Shortest pause between two looks at the lock, and the first pause after a failure. */
const MIN_PAUSE_MS = 1_000;

/** The default renewal margin: a third of the lock time, at least 30 s. @internal */
export function defaultMarginMs(lockTimeMs: number): number {
  return Math.max(MIN_MARGIN_MS, Math.floor(lockTimeMs / 3));
}

/** The resource is still listed but done: released by someone else, or out of time. */
class Gone extends Error {
  constructor(
    readonly reason: ScpSessionLossReason,
    message: string,
  ) {
    super(message);
  }
}

/** What a keeper keeps alive and how. @internal */
export interface LockKeeperInit {
  scp: ScpClient;
  sessionId: string;
  resourceId: string;
  lockTimeMs: number;
  /** Renew once `remain_time` is below this. */
  marginMs: number;
  clock: SessionClock;
  /** How renewal tasks are waited for. */
  wait: StepOptions;
  /** Called after each renewal. */
  onRenewed: () => Promise<void> | void;
  /** Called once, when the lock is lost. */
  onLost: (error: ScpSessionLostError) => void;
}

/**
 * Keeps a backup resource alive: reads its `remain_time`, renews it (for the whole lock time) once it falls below
 * the margin, and looks again before the margin could be crossed. A failure is retried with growing pauses until
 * the lock would have run out; then, or when the resource is gone, the lock is lost and `onLost` says so.
 * @internal
 */
export class LockKeeper {
  readonly #init: LockKeeperInit;
  readonly #stop = new AbortController();
  #running: Promise<void> = Promise.resolve();
  #lockEndsAtMs: number;
  #lastError: unknown;

  constructor(init: LockKeeperInit) {
    this.#init = init;
    this.#lockEndsAtMs = init.clock.now() + init.lockTimeMs;
  }

  /** Starts keeping the lock in the background. */
  start(): void {
    this.#running = this.#run().catch((error: unknown) => {
      if (!this.#stop.signal.aborted) {
        this.#lose("renewal-failed", error);
      }
    });
  }

  /** Stops renewing (the lock then runs out on its own unless released) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error("the session is closing"));
    await this.#running;
  }

  async #run(): Promise<void> {
    const { clock } = this.#init;
    const signal = this.#stop.signal;
    for (let failures = 0; !signal.aborted; ) {
      let pauseMs: number;
      try {
        pauseMs = await this.#look();
        failures = 0;
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        if (error instanceof ScpNotFoundError || error instanceof Gone) {
          this.#lose(failures > 0 ? "renewal-failed" : error instanceof Gone ? error.reason : this.#gone(), error);
          return;
        }
        this.#lastError = error;
        failures++;
        const leftMs = this.#lockEndsAtMs - clock.now();
        if (leftMs <= 0) {
          this.#lose("renewal-failed", error);
          return;
        }
        pauseMs = Math.min(MIN_PAUSE_MS * 2 ** Math.min(failures - 1, 5), leftMs);
      }
      await clock.sleep(pauseMs, signal).catch(() => undefined);
    }
  }

  /** One look at the lock, renewing it when due; returns the pause before the next look. */
  async #look(): Promise<number> {
    const { scp, resourceId, lockTimeMs, marginMs, clock } = this.#init;
    const signal = this.#stop.signal;
    const resource = await scp.backupResources.get(resourceId, { signal });
    if (resource.remain_time < 0) {
      throw new Gone("expired", `backup resource ${resourceId} has ${resource.remain_time} s left`);
    }
    if (resource.status !== "pending" && resource.status !== "running") {
      throw new Gone("released", `backup resource ${resourceId} is ${resource.status}`);
    }
    const remainMs = resource.remain_time * 1000;
    this.#lockEndsAtMs = clock.now() + remainMs;
    if (remainMs >= marginMs) {
      return Math.max(MIN_PAUSE_MS, Math.min(remainMs - marginMs, Math.floor(lockTimeMs / 3)));
    }
    const ref = await scp.backupResources.renew(resourceId, { lockTimeMs }, { signal });
    // Waiting for the renewal past the lock's end is pointless: it is lost by then.
    const maxWaitMs = Math.max(MIN_PAUSE_MS, remainMs);
    await scp.tasks.wait(ref, { ...waitOptions(this.#init.wait), maxWaitMs, signal });
    await this.#init.onRenewed();
    return 0; // Look again at once: the renewal's end sets the new remain_time.
  }

  /** Why a resource that is not there any more was lost. */
  #gone(): ScpSessionLossReason {
    return this.#init.clock.now() >= this.#lockEndsAtMs ? "expired" : "released";
  }

  #lose(reason: ScpSessionLossReason, error: unknown): void {
    const { sessionId, resourceId } = this.#init;
    const cause = reason === "renewal-failed" && this.#lastError !== undefined ? this.#lastError : error;
    this.#init.onLost(new ScpSessionLostError({ sessionId, resourceId, reason, cause }));
  }
}
