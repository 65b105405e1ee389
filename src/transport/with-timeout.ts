import { ScpTimeoutError } from "../errors.js";
import type { Send } from "./call.js";

/**
 * Limits one attempt to `call.timeoutMs`, from sending until the response is read (for a streamed
 * response: until its headers arrive). A caller's abort passes through untouched.
 * @internal
 */
export function withTimeout(next: Send): Send {
  return async (call) => {
    if (call.timeoutMs <= 0) {
      return next(call);
    }
    const controller = new AbortController();
    const timeout = new ScpTimeoutError({ method: call.method, path: call.url.pathname, timeoutMs: call.timeoutMs });
    const timer = setTimeout(() => controller.abort(timeout), call.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, controller.signal]) : controller.signal;
    try {
      return await next({ ...call, signal });
    } catch (error) {
      if (controller.signal.aborted && !call.signal?.aborted) {
        throw timeout;
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
