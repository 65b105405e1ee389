import { ScpError, scrubText } from "../errors/base.js";

/** A stand-in for a `cause` whose text carried a secret: same name and code, scrubbed message. */
class RedactedCause extends Error {
  readonly code: unknown;

  constructor(original: Error, message: string) {
    super(message);
    this.name = original.name;
    this.code = (original as { code?: unknown }).code;
  }
}

/** The cause chain with secrets scrubbed; unchanged links are kept as they are. @internal */
export function scrubCause(cause: unknown, secrets: ReadonlySet<string>, depth: number): unknown {
  if (!(cause instanceof Error) || depth > 5) {
    return cause;
  }
  const message = scrubText(cause.message, secrets);
  const inner = scrubCause(cause.cause, secrets, depth + 1);
  if (message === cause.message && inner === cause.cause && !(cause instanceof AggregateError)) {
    return cause;
  }
  const copy = new RedactedCause(cause, message);
  copy.stack = scrubText(cause.stack ?? "", secrets);
  if (inner !== undefined) {
    Object.defineProperty(copy, "cause", { value: inner, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Removes a call's credentials from an SDK error's message and from its `cause` chain (a custom fetch may put the
 * Authorization header in its error text), replacing a tainted cause by a scrubbed copy.
 * @internal
 */
export function redactError<E>(error: E, secrets: ReadonlySet<string>): E {
  if (!(error instanceof ScpError) || secrets.size === 0) {
    return error;
  }
  error.message = scrubText(error.message, secrets);
  if (error.stack) {
    error.stack = scrubText(error.stack, secrets);
  }
  const cause = scrubCause(error.cause, secrets, 0);
  if (cause !== error.cause) {
    Object.defineProperty(error, "cause", { value: cause, writable: true, configurable: true });
  }
  return error;
}
