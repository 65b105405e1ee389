import { type ScpLeftover, ScpWorkflowError } from "../errors.js";

interface Tracked {
  kind: ScpLeftover["kind"];
  id: string;
  remove: () => Promise<void>;
  state: ScpLeftover["state"];
}

/** A failure annotated with the workflow step it happened in. @internal */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(step);
  }
}

/** Runs `work` as the named step: a failure inside carries the step's name out. @internal */
export async function inStep<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StepFailure ? error : new StepFailure(step, error);
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

  /** Builds the workflow error for a failure: cleans up first when asked, then lists every created resource's fate. */
  async fail(workflow: string, error: unknown, cleanup: boolean): Promise<ScpWorkflowError> {
    if (cleanup) {
      await this.cleanup();
    }
    const step = error instanceof StepFailure ? error.step : "unknown step";
    const cause = error instanceof StepFailure ? error.cause : error;
    const leftovers = this.#items.map(({ kind, id, state }) => ({ kind, id, state }));
    return new ScpWorkflowError({ workflow, step, leftovers, changes: [...this.#changes], cause });
  }
}
