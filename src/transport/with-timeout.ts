import { ScpTimeoutError } from "../errors/call.js";
import { timerDelay } from "../validate.js";
import type { Send } from "./call-context.js";

/**
 * Limits one attempt to `policy.timeoutMs`, from sending until the response is read (for a streamed response:
 * until its headers arrive). The limit aborts the attempt's signal and also races it with its own timer, so an
 * attempt ends on time even where an abort would not reach it. A caller's abort passes through untouched.
 * @internal
 */
export function withTimeout(next: Send): Send {
  return async (request, ctx) => {
    const timeoutMs = ctx.policy.timeoutMs;
    if (timeoutMs <= 0) {
      return next(request, { ...ctx, deadline: undefined });
    }
    // Made only when the limit is hit: an error's stack trace is too dear to build for every attempt.
    let timeout: ScpTimeoutError | undefined;
    const timedOut = () => {
      timeout ??= new ScpTimeoutError({
        method: request.method,
        path: request.url.pathname,
        timeoutMs,
        requestId: ctx.record.requestId,
      });
      return timeout;
    };
    const controller = new AbortController();
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, controller.signal]) : controller.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(timedOut());
        reject(timedOut());
      }, timerDelay(timeoutMs));
    });
    try {
      return await Promise.race([next(request, { ...ctx, signal, deadline: Date.now() + timeoutMs }), expired]);
    } catch (error) {
      if (controller.signal.aborted && !ctx.signal?.aborted) {
        throw timedOut();
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
