import { z } from "zod";
import type { ScpIssue } from "./errors/base.js";
import { ScpValidationError } from "./errors/call.js";

/**
 * Turns zod issues into ours: a path and a message, never the offending value (it may be a secret).
 * @internal
 */
export function toIssues(error: z.ZodError): ScpIssue[] {
  return error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

/**
 * Parses user input with a zod schema.
 * @throws {@link ScpValidationError} listing every problem, before anything is sent.
 * @internal
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ScpValidationError({ subject, issues: toIssues(result.error) });
  }
  return result.data;
}

/** An SCP id as it may go into a URL path: letters, digits, `-`, `_`, `.`, `:`. @internal */
export const ScpIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "must be an SCP id (letters, digits, '-', '_', '.', ':')");

/** Longest delay a timer honours (about 24.8 days): `setTimeout` fires a longer one at once. @internal */
export const MAX_TIMER_MS = 2_147_483_647;

/** A delay as a timer can wait it: one past the longest a timer honours waits that longest instead of none. @internal */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}

/** How long something may wait or pause: whole milliseconds from 1 to the longest a timer honours. @internal */
export const DurationSchema = z.number().int().min(1).max(MAX_TIMER_MS);

/** The resource groups every client from `createScpClient` has. */
const CLIENT_GROUPS = [
  "servers",
  "images",
  "guest",
  "tasks",
  "azs",
  "hosts",
  "storageTags",
  "projects",
  "users",
  "system",
  "snapshots",
  "cbt",
  "backupResources",
  "hotAdd",
];

/** A client as the workflows take it: an object with every resource group of `createScpClient`'s. @internal */
export const ClientSchema = z.custom<object>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    CLIENT_GROUPS.every((group) => {
      const resources = (value as Record<string, unknown>)[group];
      return typeof resources === "object" && resources !== null;
    }),
  "must be an ScpClient (made by createScpClient)",
);

/**
 * Checks that a workflow was given a client.
 * @throws {@link ScpValidationError} before anything is sent.
 * @internal
 */
export function parseClient(value: unknown, subject: string): void {
  parseInput(ClientSchema, value, subject);
}
