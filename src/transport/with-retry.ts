import { isIdempotencyRejection, parseRetryAfter } from "../errors/api.js";
import { ScpNetworkError, ScpTimeoutError } from "../errors/call.js";
import type { ResolvedRetry } from "../resolve-options.js";
import { sleep } from "../sleep.js";
import { timerDelay } from "../validate.js";
import { type CallContext, heldIdle, isIdempotentMethod, type Outgoing, type Send } from "./call-context.js";
import { isTlsFailure } from "./network-error.js";
import type { Observer } from "./observe.js";

// Our own loop rather than p-retry: a Retry-After must replace the backoff of one attempt, which p-retry cannot do.

type Verdict = { retry: string } | { outcome: "unknown" } | "done";

const SAFE_RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

/**
 * Decides what a response means for the call: retry (with a reason), give up with the outcome unknown, or done.
 * POST and PUT carry one X-Client-Token for all attempts, so a retry is safe only where the first attempt surely
 * did not apply.
 */
async function judgeResponse(request: Outgoing, response: Response, attempt: number): Promise<Verdict> {
  const status = response.status;
  if (isIdempotentMethod(request.method)) {
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
function retryReasonForError(request: Outgoing, error: unknown): string | undefined {
  if (error instanceof ScpNetworkError) {
    if (isTlsFailure(error.code)) {
      return undefined; // A certificate problem does not heal.
    }
    if (isIdempotentMethod(request.method)) {
      return `network error ${error.code ?? ""}`.trim();
    }
    // A mutating request may be retried only when it surely never left.
    return error.outcome === "not-sent" ? `not sent (${error.code})` : undefined;
  }
  if (error instanceof ScpTimeoutError) {
    // A timed-out POST/PUT may have applied; let the caller look it up.
    return isIdempotentMethod(request.method) ? "timeout" : undefined;
  }
  return undefined;
}

/** Exponential backoff with equal jitter: half fixed, half random. */
function backoffMs(retryNumber: number, policy: ResolvedRetry): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retryNumber - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

type Attempt = { response: Response; error?: undefined } | { error: unknown; response?: undefined };

/** The pause before the next attempt, or undefined to stop and report this attempt's result. */
async function nextDelay(
  request: Outgoing,
  ctx: CallContext,
  result: Attempt,
  attempt: number,
): Promise<{ delayMs: number; reason: string } | undefined> {
  const policy = ctx.policy.retry;
  let verdict: Verdict;
  if (result.response === undefined) {
    const reason = retryReasonForError(request, result.error);
    verdict = reason === undefined ? "done" : { retry: reason };
  } else {
    verdict = await judgeResponse(request, result.response, attempt);
  }
  if (verdict !== "done" && "outcome" in verdict) {
    // Marked whether or not retries are on: the caller must look the resource up.
    ctx.record.outcome = "unknown";
    return undefined;
  }
  if (verdict === "done" || !policy || attempt > policy.retries || ctx.signal?.aborted) {
    // An aborted call (the caller, or a transfer's idle watch) is not tried again.
    return undefined;
  }
  const asked = result.response ? parseRetryAfter(result.response.headers.get("retry-after")) : undefined;
  if (asked !== undefined && asked > policy.maxRetryAfterMs) {
    return undefined; // Longer than we are willing to wait: report it instead.
  }
  return { delayMs: asked ?? backoffMs(attempt, policy), reason: verdict.retry };
}

/**
 * Sends an attempt again when it failed in a way that is safe to repeat, with exponential backoff and jitter,
 * honouring Retry-After. When attempts run out, the last response is returned so `unwrap` builds the API error
 * (a response that may have applied a POST/PUT marks the call's record `outcome: "unknown"`).
 * @internal
 */
export function withRetry(next: Send, observer: Observer): Send {
  return async (request, ctx) => {
    for (let attempt = 1; ; attempt++) {
      const result: Attempt = await next(request, ctx).then(
        (response) => ({ response }),
        (error: unknown) => ({ error }),
      );
      const delay = await nextDelay(request, ctx, result, attempt);
      if (delay === undefined) {
        if (result.response === undefined) {
          throw result.error;
        }
        return result.response;
      }
      await result.response?.body?.cancel().catch(() => undefined);
      observer.retry(ctx.record, { attempt, ...delay });
      await heldIdle(ctx, () => sleep(timerDelay(delay.delayMs), ctx.signal));
    }
  };
}
