// How big a chaos run is, and the seeds it draws from: the CI run is short, `CHAOS_FULL=1` runs the full one.
// Every trial's seed derives from CHAOS_SEED; CHAOS_REPLAY=<trial seed> runs just that trial in each section.

/** True for the full, on-demand run (`CHAOS_FULL=1 npm run test:chaos`, or `npm run test:chaos:full`). */
export const FULL = process.env.CHAOS_FULL === "1";

/** The mode's name, as RELIABILITY.md shows it. */
export const MODE: "ci" | "full" = FULL ? "full" : "ci";

/** The seed every trial seed derives from; fixed by default, so CI runs are reproducible. */
export const BASE_SEED = Number(process.env.CHAOS_SEED ?? 20_250_917);

/** A count for the CI run or the full run. */
export function scaled(ci: number, full: number): number {
  return FULL ? full : ci;
}

/** A 32-bit hash of a text (FNV-1a), to derive per-section seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}

/** The seed of a section that draws from one seed (fast-check runs). */
export function sectionSeed(section: string): number {
  return hash(`${section}:${BASE_SEED}`) | 0;
}

/** Trials any section runs at most; a replayed seed is looked up among this many. */
const MAX_TRIALS = 100_000;

/** The `[index, seed]` of a section's trials, or just the one whose seed CHAOS_REPLAY names (same index). */
export function trialSeeds(section: string, count: number): [number, number][] {
  const start = hash(`${section}:${BASE_SEED}`);
  const seedAt = (i: number) => (start + i * 0x9e3779b1) >>> 0;
  const replay = process.env.CHAOS_REPLAY;
  if (replay !== undefined) {
    const index = Array.from({ length: MAX_TRIALS }, (_, i) => i).find((i) => seedAt(i) === Number(replay));
    return index === undefined ? [] : [[index, seedAt(index)]];
  }
  return Array.from({ length: count }, (_, i) => [i, seedAt(i)]);
}

/** How to run one trial again, for failure messages. */
export function replayHint(seed: number): string {
  return `replay with CHAOS_REPLAY=${seed} npm run test:chaos (add CHAOS_FULL=1 if it came from the full run)`;
}

/** A small seeded PRNG (mulberry32) with the draws the trials need. */
export class Rng {
  #state: number;

  /** A generator starting from `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** One of the items. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }
}
