/**
 * Runs `work` over the items with at most `limit` at a time. On the first failure (or an abort) no new item
 * starts and `halt` aborts, so work already running can stop early; once all have settled, the first error is
 * thrown (a sibling's abort caused by it is not).
 * @internal
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
  halt?: AbortController,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    halt?.abort(new Error("stopped because another part of the run failed"));
  };
  const worker = async () => {
    while (!failure && next < items.length) {
      if (signal?.aborted) {
        fail(signal.reason);
        return;
      }
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        fail(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) {
    throw failure.error;
  }
}

interface Queued {
  priority: number;
  seq: number;
  start: () => void;
}

/**
 * Per resource pool, at most `limit` calls that change the platform in flight, each with the task it starts:
 * a lane is held from the call until its task is seen done, and never while only waiting (a VM booting, vmtools
 * coming up). Waiting work is served by priority (proxies further along first, so they finish and free the
 * pool), then in arrival order.
 * @internal
 */
export class PoolLanes {
  readonly #limit: number;
  readonly #busy = new Map<string, number>();
  readonly #queues = new Map<string, Queued[]>();
  #seq = 0;

  /** Lanes of `limit` per pool. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `work` in a lane of the pool once one is free; an abort while queued rejects with the signal's reason. */
  async run<T>(azId: string, priority: number, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(azId, priority, signal);
    try {
      return await work();
    } finally {
      this.#release(azId);
    }
  }

  #acquire(azId: string, priority: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const busy = this.#busy.get(azId) ?? 0;
    if (busy < this.#limit) {
      this.#busy.set(azId, busy + 1);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(azId) ?? [];
      this.#queues.set(azId, queue);
      const onAbort = () => {
        queue.splice(queue.indexOf(entry), 1);
        reject(signal?.reason);
      };
      const entry: Queued = {
        priority,
        seq: this.#seq++,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      queue.push(entry);
      queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #release(azId: string): void {
    const next = this.#queues.get(azId)?.shift();
    if (next) {
      next.start(); // The lane passes straight to the next in line.
    } else {
      this.#busy.set(azId, (this.#busy.get(azId) ?? 1) - 1);
    }
  }
}
