import { InvalidArgumentError } from "commander";
import { ScpValidationError } from "../../index.js";
import { CliInputError } from "./exit-codes.js";

/** A parser of a flag's whole number of `min` or more (commander reports the flag when it throws). */
function atLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`must be a whole number >= ${min}`);
    }
    return parsed;
  };
}

/** Parses a flag's whole number (commander reports the flag when this throws). */
export const wholeNumber = atLeast(0);

/** Parses a flag's whole number of 1 or more (a duration in milliseconds). */
export const positiveWholeNumber = atLeast(1);

/** Collects a repeatable flag's values (`--pool a --pool b`, or `--pool a,b`). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, ...value.split(",").filter((v) => v !== "")];
}

/** A field name as the flag spelling: `maxUnavailable` → `--max-unavailable`. */
function asFlag(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Re-words an SDK validation error in the CLI's terms, so each issue names what the operator typed: a field of the
 * spec file keeps its path (`pools.0.count`) under the file's name; a field that came from a flag is named as that
 * flag (`fields` maps input fields, or whole dotted paths, to flags where the names differ, such as `serverId` →
 * `--vm`).
 */
export function inCliTerms(error: unknown, from: { spec?: string; fields?: Record<string, string> } = {}): unknown {
  if (!(error instanceof ScpValidationError)) {
    return error;
  }
  const fromSpec = from.spec !== undefined && error.subject.endsWith(" input");
  const issues = error.issues.map((issue) => {
    const [first, ...rest] = issue.path.map(String);
    if (fromSpec || first === undefined) {
      return { path: issue.path.length === 0 ? "(root)" : issue.path.map(String).join("."), message: issue.message };
    }
    const exact = from.fields?.[issue.path.map(String).join(".")];
    if (exact !== undefined) {
      return { path: exact, message: issue.message };
    }
    const flag = from.fields?.[first] ?? asFlag(first);
    return { path: [flag, ...rest].join("."), message: issue.message };
  });
  return new CliInputError(issues, fromSpec ? from.spec : undefined);
}

/** The entries that have a value: an option left out means the SDK's documented default. */
export function given<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
