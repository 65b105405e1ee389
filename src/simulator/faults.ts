import { ruleMatches } from "./fault-match.js";
import { checkRule, mergeAnswerFault, mergeTaskFault, NO_ANSWER_FAULTS, NO_TASK_FAULTS } from "./fault-rules.js";
import type {
  ActiveFault,
  AnswerFaults,
  ApplyThenDropFault,
  ErrorFault,
  FaultRule,
  ResetFault,
  TaskFaults,
} from "./fault-types.js";
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
  /** Changes to the answer; like task rules, answer rules are spent only when the handler asks. */
  readonly answer: () => AnswerFaults;
}

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
    const answerRules: Installed[] = [];
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
      } else if (rule.kind === "partial-changed-areas") {
        answerRules.push(entry);
      } else {
        taskRules.push(entry);
      }
    }
    return {
      delayMs,
      terminal,
      task: this.#lazy(taskRules, mergeTaskFault, NO_TASK_FAULTS),
      answer: this.#lazy(answerRules, mergeAnswerFault, NO_ANSWER_FAULTS),
    };
  }

  /** Merges rules into one change when first asked for, spending each rule still installed then. */
  #lazy<T>(rules: readonly Installed[], merge: (current: T, rule: FaultRule) => T, none: T): () => T {
    let taken: T | undefined;
    return () => {
      taken ??= rules
        .filter((entry) => this.#rules.includes(entry))
        .reduce((merged, entry) => {
          this.#spend(entry);
          return merge(merged, entry.rule);
        }, none);
      return taken;
    };
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
