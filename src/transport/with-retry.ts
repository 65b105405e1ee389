import pRetry from "p-retry";
import { isIdempotencyRejection, parseRetryAfter, ScpNetworkError, ScpTimeoutError } from "../errors.js";
import type { ResolvedRetry, ScpLogger } from "../options.js";
import { sleep } from "../sleep.js";
import { isTlsFailure } from "./base-send.js";
import { type Call, isIdempotentMethod, type Send } from "./call.js";
import { tagResponse } from "./response-info.js";

/** Carries a response worth another attempt through p-retry. */
class RetryableResponse extends Error {
  constructor(
    readonly response: Response,
    readonly reason: string,
  ) {
    super(reason);
  }
}

type Verdict = { retry: string } | { outcome: "unknown" } | "done";

const SAFE_RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

/**
 * Decides what a response means for the call: retry (with a reason), give up with the outcome unknown, or done.
 * POST and PUT carry one X-Client-Token for all attempts, so a retry is safe only where the first attempt surely
 * did not apply.
 */
async function judgeResponse(call: Call, response: Response, attempt: number): Promise<Verdict> {
  const status = response.status;
  if (isIdempotentMethod(call.method)) {
    // Repeating a read or a delete changes nothing.
    return SAFE_RETRY_STATUSES.has(status) ? { retry: `status ${status}` } : "done";
  }
  if (status === 503) {
    // Unavailable: SCP did not take the request.
    return { retry: "status 503" };
  }
  if (status === 429) {
    const text = await response.clone().text();
    // A 429 naming the idempotency check, or any 429 to a token already sent, may mean the first attempt applied.
    if (isIdempotencyRejection(status, text) || attempt > 1) {
      return { outcome: "unknown" };
    }
    // A plain rate limit on a fresh token: nothing was applied.
    return { retry: "status 429" };
  }
  if (status === 408 || status === 502 || status === 504) {
    // A proxy gave up waiting; SCP behind it may have applied the request.
    return { outcome: "unknown" };
  }
  return "done";
}

/** Why a thrown failure deserves another attempt, or undefined when it does not. */
function retryReasonForError(call: Call, error: unknown): string | undefined {
  if (error instanceof ScpNetworkError) {
    if (isTlsFailure(error.code)) {
      return undefined; // A certificate problem does not heal.
    }
    if (isIdempotentMethod(call.method)) {
      return `network error ${error.code ?? ""}`.trim();
    }
    // A mutating request may be retried only when it surely never left.
    return error.outcome === "not-sent" ? `not sent (${error.code})` : undefined;
  }
  if (error instanceof ScpTimeoutError) {
    // A timed-out POST/PUT may have applied; let the caller look it up.
    return isIdempotentMethod(call.method) ? "timeout" : undefined;
  }
  return undefined;
}

/** Exponential backoff with equal jitter: half fixed, half random. */
function backoffMs(retryNumber: number, policy: ResolvedRetry): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retryNumber - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Retries an attempt with p-retry when it failed in a way that is safe to repeat, honouring Retry-After;
 * when attempts run out, the last response is returned so the caller builds the API error.
 * @internal
 */
export function withRetry(next: Send, logger?: ScpLogger): Send {
  return async (call) => {
    const policy = call.retry;
    if (!policy || policy.retries === 0) {
      return next(call);
    }
    try {
      return await pRetry(
        async (attempt) => {
          const response = await next(call);
          const verdict = await judgeResponse(call, response, attempt);
          if (verdict === "done") {
            return response;
          }
          if ("outcome" in verdict) {
            return tagResponse(response, { method: call.method, path: call.url.pathname, outcome: "unknown" });
          }
          throw new RetryableResponse(response, verdict.retry);
        },
        {
          retries: policy.retries,
          // p-retry's own delay is off: shouldRetry below waits, so Retry-After can replace the backoff.
          minTimeout: 0,
          maxTimeout: 0,
          signal: call.signal,
          shouldRetry: async ({ error, attemptNumber }) => {
            let reason: string | undefined;
            let delayMs = backoffMs(attemptNumber, policy);
            if (error instanceof RetryableResponse) {
              reason = error.reason;
              const asked = parseRetryAfter(error.response.headers.get("retry-after"));
              if (asked !== undefined) {
                if (asked > policy.maxRetryAfterMs) {
                  return false; // Longer than we are willing to wait: report it instead.
                }
                delayMs = asked;
              }
            } else {
              reason = retryReasonForError(call, error);
            }
            if (reason === undefined) {
              return false;
            }
            if (error instanceof RetryableResponse) {
              await error.response.body?.cancel();
            }
            logger?.warn?.("retrying request", {
              method: call.method,
              path: call.url.pathname,
              attempt: attemptNumber,
              reason,
              delayMs,
            });
            await sleep(delayMs, call.signal);
            return true;
          },
        },
      );
    } catch (error) {
      if (error instanceof RetryableResponse) {
        return error.response; // Out of attempts: the caller turns it into a typed error.
      }
      throw error;
    }
  };
}
