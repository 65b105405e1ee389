import { ScpTimeoutError } from "../errors/call.js";
import { timerDelay } from "../validate.js";
import type { CallContext, Send } from "./call-context.js";

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
    const link = linkCaller(ctx, controller);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(timedOut());
        reject(timedOut());
      }, timerDelay(timeoutMs));
    });
    try {
      return await Promise.race([
        next(request, { ...ctx, signal: link.signal, deadline: Date.now() + timeoutMs }),
        expired,
      ]);
    } catch (error) {
      if (controller.signal.aborted && !ctx.signal?.aborted) {
        throw timedOut();
      }
      throw error;
    } finally {
      link.unlink();
      clearTimeout(timer);
    }
  };
}

/**
 * The attempt's signal: aborted by the timeout or by the caller. A JSON call is read whole inside the attempt, so
 * the caller's abort is passed on by a listener that `unlink` removes when the attempt ends; AbortSignal.any would
 * keep a link from a long-lived caller signal (a fleet run's) until the combined signal is garbage-collected, and
 * costs ~30 µs. A streamed response outlives the attempt, so its body stays tied to the caller's signal.
 */
function linkCaller(ctx: CallContext, controller: AbortController): { signal: AbortSignal; unlink(): void } {
  const caller = ctx.signal;
  if (!caller) {
    return { signal: controller.signal, unlink: () => undefined };
  }
  if (ctx.policy.streamResponse) {
    return { signal: AbortSignal.any([caller, controller.signal]), unlink: () => undefined };
  }
  const forward = () => controller.abort(caller.reason);
  if (caller.aborted) {
    forward();
  }
  caller.addEventListener("abort", forward, { once: true });
  return { signal: controller.signal, unlink: () => caller.removeEventListener("abort", forward) };
}
