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
// Paging as SCP takes it: pages from 0, at most 100 items a page (a larger page is refused by SCP).
const QuerySchema = z.record(z.string(), QueryValue.optional()).and(
  z.looseObject({
    page_num: z.number().int().min(0).optional(),
    page_size: z.number().int().min(1).max(100).optional(),
  }),
);

/**
 * Checks a list query: plain values only (a nested object or array has no meaning to SCP's lists), and whole
 * page numbers from 0 with pages of 1 to 100 items.
 * @throws {@link ScpValidationError} before anything is sent.
 * @internal
 */
export function parseQuery<Q extends object>(query: Q | undefined, what: string): Q {
  return parseInput(QuerySchema, query === undefined ? {} : query, what) as Q;
}
