import type { z } from "zod";
import { ScpResponseError, toApiError } from "../errors.js";
import { toIssues } from "../validate.js";
import { responseInfo } from "./response-info.js";

/** What openapi-fetch resolves to. @internal */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

function envelopeFailed(envelope: Record<string, unknown>): boolean {
  if ("code" in envelope) {
    return envelope.code !== 0;
  }
  return envelope.errcode !== "" && envelope.errcode !== null && envelope.errcode !== undefined;
}

/**
 * The one place HTTP results become data or a thrown ScpError: checks the status, the V1 (`code`) or V2
 * (`errcode`) envelope, and the payload against `schema`. Returns `undefined` for an empty success (a 204).
 * @internal
 */
export async function unwrap<T>(pending: Promise<FetchResult>, schema: z.ZodType<T>): Promise<T | undefined> {
  const { data, error, response } = await pending;
  const info = responseInfo(response);
  if (!response.ok) {
    throw toApiError({ ...info, response, body: error });
  }
  if (data === undefined) {
    return undefined;
  }
  const fail = (message: string) =>
    new ScpResponseError({ ...info, status: response.status, issues: [{ path: [], message }] });
  if (typeof data !== "object" || data === null || !("code" in data || "errcode" in data)) {
    throw fail("not an SCP envelope (no code or errcode)");
  }
  const envelope = data as Record<string, unknown>;
  if (envelopeFailed(envelope)) {
    throw toApiError({ ...info, response, body: envelope });
  }
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issues = toIssues(parsed.error).map((i) => ({ ...i, path: ["data", ...i.path] }));
    throw new ScpResponseError({ ...info, status: response.status, issues });
  }
  return parsed.data;
}

/**
 * Like {@link unwrap}, for operations that always answer with a payload.
 * @internal
 */
export async function unwrapData<T>(pending: Promise<FetchResult>, schema: z.ZodType<T>): Promise<T> {
  const result = await unwrap(pending, schema);
  if (result === undefined) {
    const { response } = await pending;
    throw new ScpResponseError({
      ...responseInfo(response),
      status: response.status,
      issues: [{ path: [], message: "empty response" }],
    });
  }
  return result;
}
