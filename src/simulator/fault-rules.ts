import type { AnswerFaults, FaultRule, TaskFaults } from "./fault-types.js";

/** No task changes. */
export const NO_TASK_FAULTS: TaskFaults = {
  failReason: undefined,
  factor: 1,
  extraMs: 0,
  stuck: false,
  deviceDelayMs: 0,
};
/** No answer changes. */
export const NO_ANSWER_FAULTS: AnswerFaults = { maxAreas: undefined, maxLength: undefined };

/** Folds one task rule into the task changes so far. */
export function mergeTaskFault(current: TaskFaults, rule: FaultRule): TaskFaults {
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
    case "device-delay":
      return { ...current, deviceDelayMs: current.deviceDelayMs + rule.delayMs };
    default:
      return current;
  }
}

/** Folds one answer rule into the answer changes so far. */
export function mergeAnswerFault(current: AnswerFaults, rule: FaultRule): AnswerFaults {
  if (rule.kind !== "partial-changed-areas") {
    return current;
  }
  return {
    maxAreas: smaller(current.maxAreas, rule.maxAreas ?? 1),
    maxLength: smaller(current.maxLength, rule.maxLength),
  };
}

function smaller(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** Refuses a rule whose numbers are out of range. */
export function checkRule(rule: FaultRule): void {
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
    throw new RangeError("fault count must be an integer >= 1");
  }
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) {
    throw new RangeError("fault rate must be between 0 and 1");
  }
  if (rule.kind === "error" && !(Number.isInteger(rule.status) && rule.status >= 400 && rule.status <= 599)) {
    throw new RangeError("error fault status must be an HTTP error status (400-599)");
  }
  if ((rule.kind === "latency" || rule.kind === "device-delay") && !(rule.delayMs >= 0)) {
    throw new RangeError(`${rule.kind} fault delayMs must be >= 0`);
  }
  if (
    rule.kind === "partial-changed-areas" &&
    ((rule.maxAreas !== undefined && !(Number.isInteger(rule.maxAreas) && rule.maxAreas >= 1)) ||
      (rule.maxLength !== undefined && !(Number.isInteger(rule.maxLength) && rule.maxLength >= 1)))
  ) {
    throw new RangeError("partial-changed-areas fault needs maxAreas and maxLength >= 1 (whole numbers)");
  }
}
