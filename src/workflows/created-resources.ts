import { type ScpLeftover, ScpWorkflowError, type ScpWorkflowStep } from "../errors/workflow.js";
import { PoolLanes } from "./concurrency.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import { type StepOptions, waitOptions } from "./step-helpers.js";

/** How long a cleanup may take (`maxWaitMs`: removals still going then are listed as remaining), and how it polls. @internal */
export type CleanupBudget = Pick<StepOptions, "pollIntervalMs" | "maxIntervalMs"> & { maxWaitMs: number };

/** The cleanup budget from a workflow's options. @internal */
export function cleanupBudget(options: StepOptions & { cleanupMaxWaitMs?: number }): CleanupBudget {
  const { pollIntervalMs, maxIntervalMs } = waitOptions(options);
  return {
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    ...(maxIntervalMs !== undefined ? { maxIntervalMs } : {}),
    maxWaitMs: options.cleanupMaxWaitMs ?? WORKFLOW_DEFAULTS.cleanupMaxWaitMs,
  };
}

/** How a tracked resource is removed: within the cleanup's signal and time. */
type Remove = (options: StepOptions & { signal: AbortSignal; maxWaitMs: number }) => Promise<void>;

interface Tracked {
  kind: ScpLeftover["kind"];
  id: string;
  remove: Remove;
  state: ScpLeftover["state"];
}

/** Removals a cleanup runs at once. */
const CLEANUP_CONCURRENCY = 8;

/** A failure annotated with the workflow step it happened in, and what that step worked on. @internal */
export class StepFailure extends Error {
  constructor(
    readonly step: ScpWorkflowStep,
    override readonly cause: unknown,
    readonly target?: string,
  ) {
    super(target === undefined ? step : `${step} ${target}`);
  }
}

/** Runs `work` as the named step (on `target`): a failure inside carries both out. @internal */
export async function inStep<T>(step: ScpWorkflowStep, work: () => Promise<T>, target?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StepFailure ? error : new StepFailure(step, error, target);
  }
}

/**
 * Runs the read-only part of a workflow (its preflight and plan). A failure there is thrown as it is (nothing
 * changed), except an abort: that ends in an {@link ScpWorkflowError} like an abort anywhere else, with the step
 * it stopped and nothing left behind.
 * @internal
 */
export async function throwIfAbortedBeforeChanges<T>(
  workflow: string,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const failure = error instanceof StepFailure ? error : undefined;
    const cause = failure ? failure.cause : error;
    if (signal?.aborted && cause === signal.reason) {
      const step = failure?.step ?? "preflight";
      throw new ScpWorkflowError({ workflow, step, target: failure?.target, leftovers: [], cause });
    }
    throw cause;
  }
}

/**
 * What one workflow run created, so a failure can remove it (best effort) and say exactly what remains.
 * @internal
 */
export class CreatedResources {
  readonly #items: Tracked[] = [];
  readonly #changes: string[] = [];

  /** Records something the run did to a resource it did not create, for the error to report. */
  note(change: string): void {
    this.#changes.push(change);
  }

  /** Records a resource the run created, and how to remove it. */
  add(kind: ScpLeftover["kind"], id: string, remove: Remove): void {
    if (!this.#items.some((i) => i.id === id)) {
      this.#items.push({ kind, id, remove, state: "remains" });
    }
  }

  /** Forgets a resource that the run removed itself, or handed over. */
  forget(id: string): void {
    const at = this.#items.findIndex((i) => i.id === id);
    if (at >= 0) {
      this.#items.splice(at, 1);
    }
  }

  /** Marks a created resource as kept on failure: cleanup leaves it, and the error lists it as `kept`. */
  keep(id: string): void {
    const item = this.#items.find((i) => i.id === id);
    if (item) {
      item.state = "kept";
    }
  }

  /** Ids of the resources still tracked. */
  ids(kind?: ScpLeftover["kind"]): string[] {
    return this.#items.filter((i) => kind === undefined || i.kind === kind).map((i) => i.id);
  }

  /**
   * Removes everything tracked (not kept), a few at a time, all within `budget.maxWaitMs` whatever the run's own
   * signal says: an aborted run still cleans up, for a bounded time. A removal that fails or runs out of time
   * leaves its resource listed as remaining.
   */
  async cleanup(budget: CleanupBudget): Promise<void> {
    const signal = AbortSignal.timeout(budget.maxWaitMs);
    const options = { ...waitOptions(budget), maxWaitMs: budget.maxWaitMs, signal };
    const lanes = new PoolLanes(CLEANUP_CONCURRENCY);
    const newestFirst = [...this.#items].reverse().filter((i) => i.state !== "kept");
    await Promise.all(
      newestFirst.map((item) =>
        lanes
          .run("cleanup", 0, () => item.remove(options), signal)
          .then(
            () => {
              item.state = "removed";
            },
            () => {
              item.state = "remains";
            },
          ),
      ),
    );
  }

  /**
   * Builds the workflow error for a failure: cleans up first when asked, then lists every created resource's
   * fate. A failure outside any step (an abort noticed between steps) is reported at `between`.
   */
  async fail(
    workflow: string,
    error: unknown,
    options: { cleanup: false | CleanupBudget; between: ScpWorkflowStep },
  ): Promise<ScpWorkflowError> {
    if (options.cleanup) {
      await this.cleanup(options.cleanup);
    }
    const failure = error instanceof StepFailure ? error : new StepFailure(options.between, error);
    const leftovers = this.#items.map(({ kind, id, state }) => ({ kind, id, state }));
    const { step, target, cause } = failure;
    return new ScpWorkflowError({ workflow, step, target, leftovers, changes: [...this.#changes], cause });
  }
}
