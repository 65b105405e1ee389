import { type PollSchedule, WAIT_DEFAULTS } from "./schedule.js";

/** What a judge makes of one read: finished with a result, failed with an error, or (undefined) not yet. @internal */
export type PollVerdict<R> = { done: R } | { fail: unknown } | undefined;

/** One wait for one key. @internal */
export interface PollWait<V, R> {
  /** Decides on each value read (undefined: the read did not return the key); may look further first. */
  judge: (value: V | undefined) => PollVerdict<R> | Promise<PollVerdict<R>>;
  /** The error for running out of time, given the last value read. */
  timeout: (last: V | undefined) => unknown;
  /** Its timing. */
  schedule: PollSchedule;
}

/** How long an "at once" read of a shared poller waits for others to join it. */
const SHARE_WINDOW_MS = 10;

interface Waiter<K, V> {
  key: K;
  wait: PollWait<V, unknown>;
  pause: number;
  dueAt: number;
  deadline: number;
  settle: (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void;
}

/**
 * The one poller: waits for many keys (tasks, VMs) at once, each with its own deadline and backoff (first pause,
 * growing by {@link WAIT_DEFAULTS}.backoffFactor up to a cap), reading whatever is due in one round. The deadline
 * is checked before each pause, so the last read falls on it rather than past it. With `shareReads` (a read
 * costs one request however many keys it names, as `servers.list({ ids })` does) every pending key rides along
 * in a round that something is due for, so many waiters share one request.
 * @internal
 */
export class Poller<K, V> {
  readonly #read: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;
  readonly #shareReads: boolean;
  readonly #batchSize: number;
  readonly #waiters = new Set<Waiter<K, V>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reading = false;

  /** `read` returns the keys it found; `batchSize` is the most keys one call of it takes. */
  constructor(
    read: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    options: { shareReads: boolean; batchSize: number },
  ) {
    this.#read = read;
    this.#shareReads = options.shareReads;
    this.#batchSize = options.batchSize;
  }

  /** Polls `key` until the judge decides, time runs out, or the signal aborts. */
  wait<R>(key: K, wait: PollWait<V, R>): Promise<R> {
    const { signal, pollIntervalMs, maxWaitMs, immediate } = wait.schedule;
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const now = Date.now();
      const onAbort = () => waiter.settle({ ok: false, error: signal?.reason });
      const waiter: Waiter<K, V> = {
        key,
        wait,
        pause: pollIntervalMs,
        dueAt: 0,
        deadline: now + maxWaitMs,
        settle: (outcome) => {
          this.#waiters.delete(waiter);
          signal?.removeEventListener("abort", onAbort);
          this.#arm(); // The next read may now be later, or not needed at all.
          outcome.ok ? resolve(outcome.value as R) : reject(outcome.error);
        },
      };
      // With shared reads an "at once" read waits a moment, so waits that start together share one request.
      waiter.dueAt = immediate ? now + (this.#shareReads ? SHARE_WINDOW_MS : 0) : this.#next(waiter, now);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
      this.#arm();
    });
  }

  /** The time of the waiter's next read: one pause from now (which then grows, unless told not to), never past the deadline. */
  #next(waiter: Waiter<K, V>, now: number, grow = true): number {
    const { maxIntervalMs, pollIntervalMs } = waiter.wait.schedule;
    const at = Math.min(now + waiter.pause, waiter.deadline);
    if (grow) {
      waiter.pause = Math.min(waiter.pause * WAIT_DEFAULTS.backoffFactor, Math.max(maxIntervalMs, pollIntervalMs));
    }
    return at;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#reading || this.#waiters.size === 0) {
      return;
    }
    const next = Math.min(...[...this.#waiters].map((w) => w.dueAt));
    this.#timer = setTimeout(() => void this.#round(), Math.max(0, next - Date.now()));
  }

  async #round(): Promise<void> {
    this.#reading = true;
    try {
      const now = Date.now();
      const due = [...this.#waiters].filter((w) => w.dueAt <= now);
      for (const keys of this.#batches(due)) {
        await this.#readBatch(keys, new Set(due));
      }
    } finally {
      this.#reading = false;
      this.#arm();
    }
  }

  /** The keys to read, in batches: the due ones, and with shared reads others to fill the batches they need. */
  #batches(due: readonly Waiter<K, V>[]): K[][] {
    const keys = [...new Set(due.map((w) => w.key))];
    if (this.#shareReads) {
      const room = Math.ceil(keys.length / this.#batchSize) * this.#batchSize;
      for (const w of this.#waiters) {
        if (keys.length < room && !keys.includes(w.key)) {
          keys.push(w.key);
        }
      }
    }
    const batches: K[][] = [];
    for (let at = 0; at < keys.length; at += this.#batchSize) {
      batches.push(keys.slice(at, at + this.#batchSize));
    }
    return batches;
  }

  async #readBatch(keys: readonly K[], due: ReadonlySet<Waiter<K, V>>): Promise<void> {
    const readers = [...this.#waiters].filter((w) => keys.includes(w.key));
    let values: ReadonlyMap<K, V>;
    try {
      values = await this.#read(keys);
    } catch (error) {
      for (const w of readers) {
        w.settle({ ok: false, error });
      }
      return;
    }
    const now = Date.now();
    const judged = readers.filter((r) => this.#waiters.has(r));
    await Promise.all(judged.map((w) => this.#judge(w, values.get(w.key), now, due.has(w))));
  }

  async #judge(waiter: Waiter<K, V>, value: V | undefined, now: number, wasDue: boolean): Promise<void> {
    let verdict: PollVerdict<unknown>;
    try {
      verdict = await waiter.wait.judge(value);
    } catch (error) {
      verdict = { fail: error };
    }
    if (!this.#waiters.has(waiter)) {
      return; // Aborted while the judge looked further.
    }
    if (verdict && "done" in verdict) {
      waiter.settle({ ok: true, value: verdict.done });
    } else if (verdict) {
      waiter.settle({ ok: false, error: verdict.fail });
    } else if (now >= waiter.deadline) {
      waiter.settle({ ok: false, error: waiter.wait.timeout(value) });
    } else if (wasDue || this.#shareReads) {
      // A key that rode along was read as surely as a due one: its next read is a pause from now (its pause
      // grows only with its own reads, so rides on others' rounds do not stretch it).
      waiter.dueAt = this.#next(waiter, now, wasDue);
    }
  }
}

/** Polls one reader until the judge decides; the simple case of {@link Poller}. @internal */
export function pollOne<V, R>(read: () => Promise<V>, wait: PollWait<V, R>): Promise<R> {
  const poller = new Poller<0, V>(async () => new Map([[0, await read()]]), { shareReads: false, batchSize: 1 });
  return poller.wait(0, wait);
}
