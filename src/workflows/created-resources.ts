import { type ScpLeftover, ScpWorkflowError, type ScpWorkflowStep } from "../errors.js";

interface Tracked {
  kind: ScpLeftover["kind"];
  id: string;
  remove: () => Promise<void>;
  state: ScpLeftover["state"];
}

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
  add(kind: ScpLeftover["kind"], id: string, remove: () => Promise<void>): void {
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

  /** Removes everything tracked, newest first, one at a time; a removal that fails leaves its resource listed as remaining. */
  async cleanup(): Promise<void> {
    for (const item of [...this.#items].reverse().filter((i) => i.state !== "kept")) {
      try {
        await item.remove();
        item.state = "removed";
      } catch {
        item.state = "remains";
      }
    }
  }

  /**
   * Builds the workflow error for a failure: cleans up first when asked, then lists every created resource's
   * fate. A failure outside any step (an abort noticed between steps) is reported at `between`.
   */
  async fail(
    workflow: string,
    error: unknown,
    options: { cleanup: boolean; between: ScpWorkflowStep },
  ): Promise<ScpWorkflowError> {
    if (options.cleanup) {
      await this.cleanup();
    }
    const failure = error instanceof StepFailure ? error : new StepFailure(options.between, error);
    const leftovers = this.#items.map(({ kind, id, state }) => ({ kind, id, state }));
    const { step, target, cause } = failure;
    return new ScpWorkflowError({ workflow, step, target, leftovers, changes: [...this.#changes], cause });
  }
}
