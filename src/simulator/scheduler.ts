interface ScheduledEvent {
  readonly atMs: number;
  readonly seq: number;
  readonly run: (atMs: number) => void;
}

/**
 * Timed changes to the world (a task ending, vmtools coming up), applied lazily: `advance(now)` runs every
 * event due by `now` exactly once, in time order (ties in scheduling order). An event may schedule more
 * events; those run in the same call when they are due too. No timers, so an injected clock drives it all.
 * Pending events sit in a binary min-heap: a fleet leaves thousands pending, and every request advances.
 */
export class Scheduler {
  #heap: ScheduledEvent[] = [];
  #seq = 0;

  /** Schedules `run` at `atMs`; it receives that time, not the time it was noticed. */
  at(atMs: number, run: (atMs: number) => void): void {
    const heap = this.#heap;
    heap.push({ atMs, seq: this.#seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as ScheduledEvent, heap[parent] as ScheduledEvent)) {
        break;
      }
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Runs every event due by `nowMs`. */
  advance(nowMs: number): void {
    for (let next = this.#heap[0]; next !== undefined && next.atMs <= nowMs; next = this.#heap[0]) {
      this.#pop();
      next.run(next.atMs);
    }
  }

  /** Drops every pending event. */
  clear(): void {
    this.#heap = [];
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) {
      return;
    }
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left] as ScheduledEvent, heap[least] as ScheduledEvent)) {
        least = left;
      }
      if (right < heap.length && before(heap[right] as ScheduledEvent, heap[least] as ScheduledEvent)) {
        least = right;
      }
      if (least === i) {
        return;
      }
      swap(heap, i, least);
      i = least;
    }
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

function swap(heap: ScheduledEvent[], i: number, j: number): void {
  const t = heap[i] as ScheduledEvent;
  heap[i] = heap[j] as ScheduledEvent;
  heap[j] = t;
}
