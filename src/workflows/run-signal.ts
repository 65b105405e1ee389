import { setMaxListeners } from "node:events";

/**
 * The signal one fleet run waits on: the caller's (and any of the run's own), joined into one of ours. Every proxy
 * waiting at once (a task, a boot, a lane) listens on it and removes its listener when done, so hundreds at a time
 * are the design, not a leak: Node's warning past 10 listeners is off for this signal, and the caller's own signal
 * carries only the one link.
 * @internal
 */
export function runSignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  if (given.length === 0) {
    return undefined;
  }
  const signal = AbortSignal.any(given);
  setMaxListeners(0, signal);
  return signal;
}
