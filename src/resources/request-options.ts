import { z } from "zod";
import type { RequestOptions } from "../options.js";
import { parseInput, ScpIdSchema } from "../validate.js";

export type { RequestOptions };

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

// A query value goes into the URL as is: a string, a number or a boolean, with no control characters.
const QueryValue = z.union([
  z.string().refine((text) => ![...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
    message: "must not contain control characters",
  }),
  z.number().finite(),
  z.boolean(),
]);
const QuerySchema = z.record(z.string(), QueryValue.optional());

/**
 * Checks a list query: plain values only (a nested object or array has no meaning to SCP's lists).
 * @throws {@link ScpValidationError} before anything is sent.
 * @internal
 */
export function parseQuery<Q extends object>(query: Q | undefined, what: string): Q {
  return parseInput(QuerySchema, query ?? {}, what) as Q;
}
