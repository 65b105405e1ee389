/** Whether a failed mutating call can still have been applied by SCP. */
export type ScpOutcome = "not-sent" | "unknown";

/** One problem found in input or in a response, as a path and a message. */
export interface ScpIssue {
  /** Where the problem is, e.g. `["pools", 0, "count"]`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong. */
  readonly message: string;
}

const MAX_SERVER_MESSAGE = 200;

/** Shortens a server text to one line of at most 200 characters. @internal */
export function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_SERVER_MESSAGE ? `${flat.slice(0, MAX_SERVER_MESSAGE)}…` : flat;
}

/** Lists issues as `path: message` pairs. @internal */
export function describeIssues(issues: readonly ScpIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "(root)"}: ${i.message}`).join("; ");
}

/** Base class of every error the SDK throws. */
export class ScpError extends Error {
  override readonly name: string = "ScpError";
}

/**
 * Replaces every occurrence of a secret in a text with `[redacted]`.
 * @internal
 */
export function scrubText(text: string, secrets: Iterable<string> | undefined): string {
  let clean = text;
  for (const secret of secrets ?? []) {
    if (secret.length > 0 && clean.includes(secret)) {
      clean = clean.split(secret).join("[redacted]");
    }
  }
  return clean;
}
