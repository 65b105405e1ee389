import { z } from "zod";
import { parseInput } from "../validate.js";

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A started asynchronous SCP operation. */
export interface TaskRef {
  /** The task to wait for with `scp.tasks.wait`. */
  taskId: string;
}

const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "must be an SCP id (letters, digits, '-', '_', '.', ':')");

/**
 * Checks an id before it goes into a URL path.
 * @throws {@link ScpValidationError} when it is empty or has characters no SCP id has.
 * @internal
 */
export function parseId(value: unknown, what: string): string {
  return parseInput(IdSchema, value, what);
}

/** Openapi-fetch's per-call init for our options. @internal */
export function init(options: RequestOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}
