import type { SessionClock } from "../../src/index.js";

interface Sleeper {
  at: number;
  wake: () => void;
}

/**
 * A clock tests move by hand: `clock` goes to a session (its lock renewal sleeps on it) and `now` to the simulator,
 * so minutes of lock time pass in milliseconds, in steps the test decides.
 */
export function fakeClock(start: number = Date.now()) {
  let now = start;
  const sleepers = new Set<Sleeper>();
  let sleeping: (() => void) | undefined;
  const clock: SessionClock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const sleeper: Sleeper = { at: now + ms, wake: resolve };
        signal?.addEventListener(
          "abort",
          () => {
            sleepers.delete(sleeper);
            reject(signal.reason);
          },
          { once: true },
        );
        sleepers.add(sleeper);
        sleeping?.();
      }),
  };
  /** Resolves once something sleeps on the clock (at once if something does), or when `until` aborts. */
  const untilSleeping = (until?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (sleepers.size > 0 || until?.aborted) {
        resolve();
        return;
      }
      sleeping = () => {
        sleeping = undefined;
        resolve();
      };
      until?.addEventListener("abort", () => resolve(), { once: true });
    });
  /** Waits for a sleeper, moves time to the earliest wake-up and wakes every sleeper due; returns the new now. */
  const step = async (until?: AbortSignal): Promise<number> => {
    await untilSleeping(until);
    const next = Math.min(...[...sleepers].map((s) => s.at));
    if (Number.isFinite(next)) {
      now = Math.max(now, next);
      for (const s of [...sleepers].filter((s) => s.at <= now)) {
        sleepers.delete(s);
        s.wake();
      }
    }
    return now;
  };
  return { clock, now: () => now, step, untilSleeping };
}
