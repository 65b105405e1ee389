import { parseInput, ScpIdSchema } from "../validate.js";

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The `X-Client-Token` of a POST or PUT; one is made per call otherwise. Send a lost call again with the same
   * token and SCP refuses it (429) if the first one applied, for 15 minutes.
   */
  clientToken?: string;
}

/** A started asynchronous SCP operation. */
export interface TaskRef {
  /** The task to wait for with `scp.tasks.wait`. */
  taskId: string;
}

/**
 * Checks an id before it goes into a URL path.
 * @throws {@link ScpValidationError} when it is empty or has characters no SCP id has.
 * @internal
 */
export function parseId(value: unknown, what: string): string {
  return parseInput(ScpIdSchema, value, what);
}

/** Openapi-fetch's per-call init for our options. @internal */
export function init(options: RequestOptions | undefined): { signal?: AbortSignal; headers?: Record<string, string> } {
  return {
    ...(options?.signal ? { signal: options.signal } : {}),
    ...(options?.clientToken ? { headers: { "X-Client-Token": options.clientToken } } : {}),
  };
}
