import { ruleMatches } from "./fault-match.js";
import type { ActiveFault, ApplyThenDropFault, ErrorFault, FaultRule, ResetFault, TaskFaults } from "./fault-types.js";
import type { Random } from "./random.js";

/** What the matching rules do to one request. */
export interface FaultDecision {
  /** Extra delay before handling. */
  readonly delayMs: number;
  /** A fault that replaces or cuts the answer, if any. */
  readonly terminal: ErrorFault | ResetFault | ApplyThenDropFault | undefined;
  /**
   * Changes to the task the request starts. Task rules are spent only when this is called, that is when a task
   * is really started: a request answered by an error fault, refused, or starting no task leaves them for later.
   */
  readonly task: () => TaskFaults;
}

/** No task changes. */
export const NO_TASK_FAULTS: TaskFaults = { failReason: undefined, factor: 1, extraMs: 0, stuck: false };

interface Installed {
  readonly id: string;
  readonly rule: FaultRule;
  hits: number;
  remaining: number | undefined;
}

/** The installed fault rules; decisions draw from their own seeded PRNG so they are reproducible. */
export class FaultRegistry {
  readonly #random: Random;
  #rules: Installed[] = [];
  #nextId = 1;

  /** Creates a registry with the given rules installed. */
  constructor(random: Random, initial: readonly FaultRule[]) {
    this.#random = random;
    for (const rule of initial) {
      this.add(rule);
    }
  }

  /** Installs a rule; returns its id. */
  add(rule: FaultRule): string {
    checkRule(rule);
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ id, rule, hits: 0, remaining: rule.count });
    return id;
  }

  /** Removes one rule. */
  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length < before;
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /** The installed rules. */
  list(): ActiveFault[] {
    return this.#rules.map(({ id, rule, hits, remaining }) => ({ id, rule, hits, remaining }));
  }

  /** Applies matching rules to a request, in installation order, spending their counts. */
  evaluate(method: string, path: string, template: string | undefined): FaultDecision {
    let delayMs = 0;
    let terminal: FaultDecision["terminal"];
    const taskRules: Installed[] = [];
    for (const entry of [...this.#rules]) {
      const { rule } = entry;
      const isTerminal = rule.kind === "error" || rule.kind === "reset" || rule.kind === "apply-then-drop";
      if ((isTerminal && terminal) || !ruleMatches(rule.match, method, path, template) || !this.#roll(rule)) {
        continue;
      }
      if (rule.kind === "latency") {
        this.#spend(entry);
        delayMs += rule.delayMs;
      } else if (isTerminal) {
        this.#spend(entry);
        terminal = rule;
      } else {
        taskRules.push(entry);
      }
    }
    let taken: TaskFaults | undefined;
    const task = () => {
      taken ??= taskRules
        .filter((entry) => this.#rules.includes(entry))
        .reduce((merged, entry) => {
          this.#spend(entry);
          return mergeTaskFault(merged, entry.rule);
        }, NO_TASK_FAULTS);
      return taken;
    };
    return { delayMs, terminal, task };
  }

  #roll(rule: FaultRule): boolean {
    return rule.rate === undefined || rule.rate >= 1 || this.#random.float() < rule.rate;
  }

  #spend(entry: Installed): void {
    entry.hits++;
    if (entry.remaining !== undefined) {
      entry.remaining--;
      if (entry.remaining <= 0) {
        this.remove(entry.id);
      }
    }
  }
}

function mergeTaskFault(current: TaskFaults, rule: FaultRule): TaskFaults {
  switch (rule.kind) {
    case "task-failure":
      return { ...current, failReason: current.failReason ?? rule.reason ?? "simulated task failure" };
    case "slow-task":
      return {
        ...current,
        factor: current.factor * (rule.factor ?? 10),
        extraMs: current.extraMs + (rule.extraMs ?? 0),
      };
    case "stuck-task":
      return { ...current, stuck: true };
    default:
      return current;
  }
}

function checkRule(rule: FaultRule): void {
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
    throw new RangeError("fault count must be an integer >= 1");
  }
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) {
    throw new RangeError("fault rate must be between 0 and 1");
  }
  if (rule.kind === "error" && !(Number.isInteger(rule.status) && rule.status >= 400 && rule.status <= 599)) {
    throw new RangeError("error fault status must be an HTTP error status (400-599)");
  }
  if (rule.kind === "latency" && !(rule.delayMs >= 0)) {
    throw new RangeError("latency fault delayMs must be >= 0");
  }
}
