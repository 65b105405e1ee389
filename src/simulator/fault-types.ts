/**
 * Which requests a fault rule applies to, and how often.
 *
 * `match` is `"METHOD pattern"` or just `"pattern"` (any method; `*` also means any method). The pattern is a
 * path template from the spec (`/janus/20180725/servers/{server_id}/start`), a concrete path, or either with
 * `*` wildcards. A RegExp is tested against `"METHOD /concrete/path"` and `"METHOD /path/{template}"`.
 */
export interface FaultMatch {
  /** The requests the rule applies to. */
  readonly match: string | RegExp;
  /** Apply at most this many times, then the rule is spent. Unlimited when absent. */
  readonly count?: number;
  /** Probability (0–1) of applying to a matching request, drawn from the seeded fault PRNG. @defaultValue 1 */
  readonly rate?: number;
}

/** Answer with an error in the operation's envelope (a gateway-level failure: nothing is applied). */
export interface ErrorFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "error";
  /** HTTP status, such as 429, 500 or 503. */
  readonly status: number;
  /** Error message; a plain default per status otherwise. */
  readonly message?: string;
  /** Sends `Retry-After` with this many seconds. */
  readonly retryAfterSec?: number;
}

/** Delay the request, then handle it normally. */
export interface LatencyFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "latency";
  /** Extra delay. */
  readonly delayMs: number;
}

/** Drop the connection before the request is applied. */
export interface ResetFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "reset";
}

/** Apply the request, then drop the connection so the answer is lost. */
export interface ApplyThenDropFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "apply-then-drop";
}

/** The task the matched request starts ends in failure. */
export interface TaskFailureFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "task-failure";
  /** The task's `description`. */
  readonly reason?: string;
}

/** The task the matched request starts runs longer: `max(taskDurationMs, 100) * factor + extraMs`. */
export interface SlowTaskFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "slow-task";
  /** Multiplier of the normal duration. @defaultValue 10 */
  readonly factor?: number;
  /** Added time. @defaultValue 0 */
  readonly extraMs?: number;
}

/** The task the matched request starts never finishes. */
export interface StuckTaskFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "stuck-task";
}

/** The devices of the hot-add the matched request starts show in the proxy's guest only this much later. */
export interface DeviceDelayFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "device-delay";
  /** Added to `hotAddDeviceDelayMs`. */
  readonly delayMs: number;
}

/** The changed-areas answer of the matched request is cut short: fewer areas, less of the disk covered. */
export interface PartialChangedAreasFault extends FaultMatch {
  /** Kind of fault. */
  readonly kind: "partial-changed-areas";
  /** Most areas the answer lists. @defaultValue 1 */
  readonly maxAreas?: number;
  /** Most bytes of the disk the answer covers (at least 1); the window otherwise. */
  readonly maxLength?: number;
}

/** One fault rule. */
export type FaultRule =
  | ErrorFault
  | LatencyFault
  | ResetFault
  | ApplyThenDropFault
  | TaskFailureFault
  | SlowTaskFault
  | StuckTaskFault
  | DeviceDelayFault
  | PartialChangedAreasFault;

/** An installed rule, as `faults.list()` shows it. */
export interface ActiveFault {
  /** Id to remove it with. */
  readonly id: string;
  /** The rule as given. */
  readonly rule: FaultRule;
  /** Times it has applied so far. */
  readonly hits: number;
  /** Applications left, when the rule has a count. */
  readonly remaining: number | undefined;
}

/** Run-time control of faults and of the platform version. */
export interface FaultControl {
  /** Installs a rule; returns its id. */
  add(rule: FaultRule): string;
  /** Removes one rule; false when no rule has that id. */
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
  /** The installed rules (spent ones are removed). */
  list(): readonly ActiveFault[];
  /** Acts as another (usually older) SCP release from now on; undefined restores the configured one. */
  setScpVersion(version: string | undefined): void;
  /** The release the simulator acts as now. */
  scpVersion(): string;
}

/** Changes to the tasks a request starts, collected from matching rules. */
export interface TaskFaults {
  /** Set when the task must fail. */
  readonly failReason: string | undefined;
  /** Duration multiplier. */
  readonly factor: number;
  /** Added duration. */
  readonly extraMs: number;
  /** Never finishes. */
  readonly stuck: boolean;
  /** Extra time before hot-added devices show in the guest. */
  readonly deviceDelayMs: number;
}

/** Changes to the answer of a request, collected from matching rules. */
export interface AnswerFaults {
  /** Most changed areas to list. */
  readonly maxAreas: number | undefined;
  /** Most bytes of the disk to cover. */
  readonly maxLength: number | undefined;
}
