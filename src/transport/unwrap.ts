import type { z } from "zod";
import { toApiError } from "../errors/api.js";
import { type ScpNetworkError, ScpResponseError } from "../errors/call.js";
import { toIssues } from "../validate.js";
import type { CallRecord } from "./call-context.js";
import { toNetworkError } from "./network-error.js";

/** What openapi-fetch resolves to. @internal */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** An openapi-fetch result with what the transport learned about the call. @internal */
export type Called<R extends FetchResult = FetchResult> = R & { readonly record: CallRecord };

function envelopeFailed(envelope: Record<string, unknown>): boolean {
  if ("code" in envelope) {
    return envelope.code !== 0;
  }
  return envelope.errcode !== "" && envelope.errcode !== null && envelope.errcode !== undefined;
}

function responseError(called: Called, message: string, path: PropertyKey[] = []): ScpResponseError {
  const { record, response } = called;
  return new ScpResponseError({
    method: record.method,
    path: record.path,
    status: response.status,
    requestId: record.requestId,
    issues: [{ path, message }],
  });
}

function apiError(called: Called, body: unknown) {
  const { record, response } = called;
  return toApiError({
    method: record.method,
    path: record.path,
    response,
    body,
    outcome: record.outcome,
    requestId: record.requestId,
    secrets: record.secrets,
  });
}

/**
 * The one place HTTP results become data or a thrown ScpError: checks the status, the V1 (`code`) or V2
 * (`errcode`) envelope, and the payload against `schema`. Returns `undefined` for an empty success (a 204).
 * Method, path, outcome and request id come from the call's record, never from the response.
 * @internal
 */
export function unwrap<T>(called: Called, schema: z.ZodType<T>): T | undefined {
  const { data, error, response } = called;
  if (!response.ok) {
    throw apiError(called, error);
  }
  if (data === undefined) {
    return undefined;
  }
  if (typeof data !== "object" || data === null || !("code" in data || "errcode" in data)) {
    throw responseError(called, "not an SCP envelope (no code or errcode)");
  }
  const envelope = data as Record<string, unknown>;
  if (envelopeFailed(envelope)) {
    throw apiError(called, envelope);
  }
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issues = toIssues(parsed.error).map((i) => ({ ...i, path: ["data", ...i.path] }));
    throw new ScpResponseError({
      method: called.record.method,
      path: called.record.path,
      status: response.status,
      requestId: called.record.requestId,
      issues,
    });
  }
  return parsed.data;
}

/**
 * Like {@link unwrap}, for operations that always answer with a payload.
 * @internal
 */
export function unwrapData<T>(called: Called, schema: z.ZodType<T>): T {
  const result = unwrap(called, schema);
  if (result === undefined) {
    throw responseError(called, "empty response");
  }
  return result;
}

/**
 * Throws the API error of a failed streamed call (a download); does nothing for a success.
 * @internal
 */
export function unwrapStreamed(called: Called): void {
  if (!called.response.ok) {
    throw apiError(called, called.error);
  }
}

/** An ScpResponseError about a call, for checks made after unwrapping (a short body, say). @internal */
export function callError(called: Called, message: string, path: PropertyKey[] = []): ScpResponseError {
  return responseError(called, message, path);
}

/**
 * The ScpNetworkError of a streamed answer whose body failed after its headers (a cut, a malformed body): the
 * server had the request, so the outcome is unknown.
 * @internal
 */
export function bodyError(called: Called, error: unknown): ScpNetworkError {
  return toNetworkError(called.record, error, called.record, "unknown");
}
