import { z } from "zod";
import { DurationSchema } from "../validate.js";

/** The defaults of every wait, in one place (workflows spread them into their own table). @internal */
export const WAIT_DEFAULTS = Object.freeze({
  /** First pause between reads; short, because a permit of a fleet is held until its task is seen done. */
  pollIntervalMs: 250,
  /** Longest pause between reads. */
  maxIntervalMs: 15_000,
  /** Longest wait for one task or state (30 min). */
  maxWaitMs: 1_800_000,
  /** Each pause is this many times the one before, up to `maxIntervalMs`. */
  backoffFactor: 1.5,
});

/** Longest delay `setTimeout` honours; a longer one fires at once (a busy loop). */
const MAX_TIMER_MS = 2_147_483_647;

/** A duration a wait may use: whole milliseconds, at least 1, at most about 24 days. @internal */
export const WaitDurationSchema = DurationSchema.max(MAX_TIMER_MS);

/** Checks the timing fields every wait shares. @internal */
export const ScheduleSchema = z.looseObject({
  signal: z.instanceof(AbortSignal).optional(),
  pollIntervalMs: WaitDurationSchema.optional(),
  maxIntervalMs: WaitDurationSchema.optional(),
  maxWaitMs: WaitDurationSchema.optional(),
});

/** How one wait polls. @internal */
export interface PollSchedule {
  /** First pause between reads. */
  pollIntervalMs: number;
  /** Longest pause. */
  maxIntervalMs: number;
  /** Give up after this long. */
  maxWaitMs: number;
  /** Read at once instead of after the first pause (for a state that may already hold). */
  immediate?: boolean;
  /** Stops the wait; it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Fills a schedule's missing timing fields from {@link WAIT_DEFAULTS}. @internal */
export function scheduleOf(
  options: {
    pollIntervalMs?: number | undefined;
    maxIntervalMs?: number | undefined;
    maxWaitMs?: number | undefined;
    signal?: AbortSignal | undefined;
  },
  immediate = false,
): PollSchedule {
  return {
    pollIntervalMs: options.pollIntervalMs ?? WAIT_DEFAULTS.pollIntervalMs,
    maxIntervalMs: options.maxIntervalMs ?? WAIT_DEFAULTS.maxIntervalMs,
    maxWaitMs: options.maxWaitMs ?? WAIT_DEFAULTS.maxWaitMs,
    immediate,
    signal: options.signal,
  };
}
