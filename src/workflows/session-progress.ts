import { ScpValidationError } from "../errors/call.js";
import { inStep } from "./created-resources.js";
import type { SessionOptions, SessionStep } from "./session-input.js";
import { defaultMarginMs } from "./session-lock.js";

/** Runs a named step of opening a session: reports its start and end, and names it in a failure. @internal */
export type Step = <T>(name: SessionStep, work: () => Promise<T>) => Promise<T>;

/** The step runner for a session's options. @internal */
export function progress(options: SessionOptions): Step {
  return async (name, work) => {
    options.onProgress?.({ step: name, phase: "start" });
    const result = await inStep(name, work);
    options.onProgress?.({ step: name, phase: "done" });
    return result;
  };
}

/**
 * The renewal margin: the option, or a third of the lock time (at least 30 s); below the lock time.
 * @throws {@link ScpValidationError} when it is not below the lock time.
 * @internal
 */
export function marginOf(workflow: string, lockTimeMs: number, options: SessionOptions): number {
  const margin = options.renewMarginMs ?? defaultMarginMs(lockTimeMs);
  if (margin >= lockTimeMs) {
    const message = `must be below lockTimeMs (${lockTimeMs}), or the lock would be renewed without pause`;
    throw new ScpValidationError({ subject: `${workflow} options`, issues: [{ path: ["renewMarginMs"], message }] });
  }
  return margin;
}
