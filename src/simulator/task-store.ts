import type { SimTask } from "./model.js";

/**
 * Tasks by id, in the order they started, and per object they work on: a fleet makes thousands, and task lists
 * are filtered by `object_id` and read newest first. Tasks are never removed (SCP keeps its task log).
 */
export class TaskStore {
  readonly #byId = new Map<string, SimTask>();
  readonly #all: SimTask[] = [];
  readonly #byObject = new Map<string, SimTask[]>();

  /** The task with this id. */
  get(id: string): SimTask | undefined {
    return this.#byId.get(id);
  }

  /** Records a new task. */
  add(task: SimTask): void {
    this.#byId.set(task.task_id, task);
    this.#all.push(task);
    const ofObject = this.#byObject.get(task.object_id);
    if (ofObject) {
      ofObject.push(task);
    } else {
      this.#byObject.set(task.object_id, [task]);
    }
  }

  /** Every task, oldest first. */
  all(): readonly SimTask[] {
    return this.#all;
  }

  /** The tasks working on one object, oldest first. */
  ofObject(objectId: string): readonly SimTask[] {
    return this.#byObject.get(objectId) ?? [];
  }
}
