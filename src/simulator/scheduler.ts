interface ScheduledEvent {
  readonly atMs: number;
  readonly seq: number;
  readonly run: (atMs: number) => void;
}

/**
 * Timed changes to the world (a task ending, vmtools coming up), applied lazily: `advance(now)` runs every
 * event due by `now` exactly once, in time order (ties in scheduling order). An event may schedule more
 * events; those run in the same call when they are due too. No timers, so an injected clock drives it all.
 */
export class Scheduler {
  #events: ScheduledEvent[] = [];
  #seq = 0;

  /** Schedules `run` at `atMs`; it receives that time, not the time it was noticed. */
  at(atMs: number, run: (atMs: number) => void): void {
    this.#events.push({ atMs, seq: this.#seq++, run });
  }

  /** Runs every event due by `nowMs`. */
  advance(nowMs: number): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.#events.length; i++) {
        const event = this.#events[i];
        const current = this.#events[best];
        if (event && event.atMs <= nowMs && (!current || before(event, current))) {
          best = i;
        }
      }
      if (best < 0) {
        return;
      }
      const [event] = this.#events.splice(best, 1);
      event?.run(event.atMs);
    }
  }

  /** Drops every pending event. */
  clear(): void {
    this.#events = [];
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
