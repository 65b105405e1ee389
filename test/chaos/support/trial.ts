// Running seeded trials: each trial's failure names its seed and how to replay it.
import { expect } from "vitest";
import { ScpError, ScpWorkflowError } from "../../../src/index.js";
import type { ScpSimulatorState } from "../../../src/simulator/index.js";
import { replayHint } from "./mode.js";

/** What the running trial set up (its faults, say), added to its failure message. */
export const trialNote = { text: "" };

/** Runs `trial` for each seed; a failure is rethrown with the seed and the replay command. */
export async function eachSeed(
  seeds: readonly [number, number][],
  trial: (seed: number, index: number) => Promise<void>,
) {
  for (const [index, seed] of seeds) {
    trialNote.text = "";
    try {
      await trial(seed, index);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`trial ${index} (seed ${seed}) failed: ${message}\n${trialNote.text}\n${replayHint(seed)}`, {
        cause: error,
      });
    }
  }
}

/** Settles a run as its result or its error, with how long it took. */
export async function settle<T>(
  run: () => Promise<T>,
): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await run();
    return { ok: true, value, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

/** A failed run must fail with the SDK's typed errors only, never a TypeError or a bare Error. */
export function expectTyped(error: unknown): asserts error is ScpError {
  if (!(error instanceof ScpError)) {
    throw new Error(`untyped failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Every VM of the fleet alive after a failed run was there before it, or is listed among the run's leftovers (by
 * id, or by name while its id was not known): nothing the run made is left untracked.
 */
export function expectLeftoversListed(
  error: unknown,
  before: readonly { id: string }[],
  after: readonly { id: string; name: string }[],
): void {
  const listed = error instanceof ScpWorkflowError ? error.leftovers.map((l) => l.id) : [];
  const known = new Set([...before.map((s) => s.id), ...listed]);
  const untracked = after.filter((s) => !known.has(s.id) && !listed.some((id) => id.startsWith(`${s.name} `)));
  expect(
    untracked.map((s) => `${s.name} ${s.id}`),
    "VMs the failed run made and did not list",
  ).toEqual([]);
}

/** Tasks of the simulator still running (a stuck task never ends), by the object they work on. */
export function unfinishedTaskObjects(state: ScpSimulatorState): Set<string> {
  return new Set(
    state.tasks.filter((t) => t.status === "waiting" || t.status === "doing").map((t) => t.object_id ?? ""),
  );
}
