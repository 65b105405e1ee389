import { type ScpOutcome, scrubText } from "../errors/base.js";
import { ScpNetworkError } from "../errors/call.js";
import type { CallRecord } from "./call-context.js";
import { scrubCause } from "./redact.js";

// Failures that happen before a byte of the request leaves: the request surely did not apply.
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS_CODE = /CERT|SELF_SIGNED|ERR_TLS|ERR_SSL|UNABLE_TO_(GET|VERIFY)/;

/** True for certificate and TLS handshake failures, which no retry heals. @internal */
export function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && TLS_CODE.test(code);
}

function rootCause(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const c = (current as { code?: unknown }).code;
    if (typeof c === "string") {
      code = c;
    }
    message = current.message;
    current = current.cause;
  }
  return { code, message };
}

/** Maps a thrown fetch failure to an ScpNetworkError that says whether the request may have applied. @internal */
export function toNetworkError(
  request: { method: string; path: string },
  error: unknown,
  record: CallRecord,
  known?: ScpOutcome,
): ScpNetworkError {
  const { code, message } = rootCause(error);
  const outcome: ScpOutcome =
    known ?? (code !== undefined && (NOT_SENT.has(code) || isTlsFailure(code)) ? "not-sent" : "unknown");
  return new ScpNetworkError({
    method: request.method,
    path: request.path,
    outcome,
    reason: scrubText(message, record.secrets),
    code,
    requestId: record.requestId,
    // A custom fetch may put the Authorization header into its error's text.
    cause: scrubCause(error, record.secrets, 0),
  });
}
