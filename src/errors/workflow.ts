import { ScpError } from "./base.js";

/** An operation needs a newer SCP than the platform runs. */
export class ScpUnsupportedVersionError extends ScpError {
  override readonly name: string = "ScpUnsupportedVersionError";
  /** What needs the newer version. */
  readonly feature: string;
  /** Oldest SCP version that supports it. */
  readonly requiredVersion: string;
  /** The platform's version. */
  readonly actualVersion: string;

  /** Creates the error from its fields. */
  constructor(init: { feature: string; requiredVersion: string; actualVersion: string }) {
    super(`${init.feature} needs SCP ${init.requiredVersion} or later; this platform runs ${init.actualVersion}`);
    this.feature = init.feature;
    this.requiredVersion = init.requiredVersion;
    this.actualVersion = init.actualVersion;
  }
}

/** A resource is not, or did not get, in the state an operation needs. */
export class ScpStateError extends ScpError {
  override readonly name: string = "ScpStateError";
  /** The resource, e.g. `server 5d0c…`. */
  readonly resource: string;
  /** The state needed, e.g. `vmtools installed`. */
  readonly expected: string;
  /** The state found. */
  readonly actual: string;

  /** Creates the error from its fields. */
  constructor(init: { resource: string; expected: string; actual: string }) {
    super(`${init.resource}: expected ${init.expected}, found ${init.actual}`);
    this.resource = init.resource;
    this.expected = init.expected;
    this.actual = init.actual;
  }
}

/** One precondition a workflow checked before changing anything. */
export interface ScpCheck {
  /** What was checked, e.g. `image is private`. */
  readonly name: string;
  /** Whether it holds. */
  readonly ok: boolean;
  /** Why it does not hold (or what was found). */
  readonly detail: string;
}

/** A workflow's preflight found the platform not ready; nothing was changed. */
export class ScpPreflightError extends ScpError {
  override readonly name: string = "ScpPreflightError";
  /** Workflow name. */
  readonly workflow: string;
  /** Every check made, passing and failing. */
  readonly checks: readonly ScpCheck[];

  /** Creates the error from its fields. */
  constructor(init: { workflow: string; checks: readonly ScpCheck[] }) {
    const failed = init.checks.filter((c) => !c.ok);
    super(`${init.workflow} preflight failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`);
    this.workflow = init.workflow;
    this.checks = init.checks;
  }
}

/** A resource a workflow created, and whether it is still there. */
export interface ScpLeftover {
  /** Kind of resource. */
  readonly kind: "server" | "image" | "file" | "snapshot" | "backup-resource" | "hot-added-disk";
  /** Its id (or path, for files; or the name it was created with while its id is not known). */
  readonly id: string;
  /**
   * `removed` when cleanup deleted it; `remains` when it is still there (cleanup failed, ran out of time, was not
   * asked for, or the resource is kept for a re-run to reuse); `kept` when it stays on purpose (a successor that
   * already replaced a deleted proxy: removing it would shrink the pool).
   */
  readonly state: "removed" | "remains" | "kept";
}

/** The step a workflow failed in (see each workflow's documentation for its steps). */
export type ScpWorkflowStep =
  // Before any change: input checks passed, the platform is being read.
  | "preflight"
  | "read-fleet"
  // A proxy's life in a fleet.
  | "create"
  | "mark"
  | "power-on"
  | "vmtools"
  | "init"
  | "verify"
  | "delete"
  // Making and moving an image.
  | "stop-source"
  | "make-image"
  | "export"
  | "download"
  | "restart-source"
  | "hash"
  | "remove-half-made"
  | "create-image"
  | "upload"
  | "distribute"
  | "extend-to-pools"
  // Opening a backup or restore session (after its checks, which are "preflight").
  | "select-proxy"
  | "journal"
  | "create-vm"
  | "reset-cbt"
  | "enable-cbt"
  | "snapshot"
  | "read-snapshot"
  | "lock";

/** A workflow step failed, or the run was aborted; says what the workflow did and what it left behind. */
export class ScpWorkflowError extends ScpError {
  override readonly name: string = "ScpWorkflowError";
  /** Workflow name. */
  readonly workflow: string;
  /** The step that failed (or was running when the run was aborted). */
  readonly step: ScpWorkflowStep;
  /** What the step worked on, such as a proxy name or an image id; undefined for a step of the whole run. */
  readonly target: string | undefined;
  /** Everything the run created, with what became of it. */
  readonly leftovers: readonly ScpLeftover[];
  /** What the run did to resources it did not create, e.g. `deleted outdated proxy p-01 (id)`. */
  readonly changes: readonly string[];

  /** Creates the error from its fields. */
  constructor(init: {
    workflow: string;
    step: ScpWorkflowStep;
    target?: string | undefined;
    leftovers: readonly ScpLeftover[];
    changes?: readonly string[];
    cause: unknown;
  }) {
    const remains = init.leftovers.filter((l) => l.state === "remains");
    const tail =
      remains.length === 0
        ? "nothing left behind"
        : `left behind: ${remains.map((l) => `${l.kind} ${l.id}`).join(", ")}`;
    const changes = init.changes ?? [];
    const done = changes.length > 0 ? `; before failing it ${changes.join(", ")}` : "";
    const cause = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const where = init.target === undefined ? init.step : `${init.step} ${init.target}`;
    super(`${init.workflow} failed at ${where}: ${cause} (${tail}${done})`, { cause: init.cause });
    this.workflow = init.workflow;
    this.step = init.step;
    this.target = init.target;
    this.leftovers = init.leftovers;
    this.changes = changes;
  }
}
