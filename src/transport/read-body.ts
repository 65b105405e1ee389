import { ScpResponseError } from "../errors.js";
import { toNetworkError } from "./base-send.js";
import type { Send } from "./call.js";

/** Statuses whose Response may not carry a body. @internal */
export const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Reads a JSON response whole, inside the attempt (so its time counts and a failed read can be retried),
 * refuses a success body that is not JSON, and keeps the JSON body of a 204 that SCP documents for deletes.
 * Streamed responses pass through unread.
 * @internal
 */
export function readBody(next: Send): Send {
  return async (call) => {
    const response = await next(call);
    if (call.streamResponse && response.ok) {
      return response;
    }
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (call.signal?.aborted) {
        throw call.signal.reason;
      }
      // The answer was cut after its headers: SCP got the request, so for a POST/PUT the outcome is unknown.
      throw toNetworkError(call.method, call.url.pathname, error, "unknown");
    }
    if (response.ok && bytes.length > 0) {
      try {
        JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        const type = response.headers.get("content-type") ?? "no content type";
        throw new ScpResponseError({
          method: call.method,
          path: call.url.pathname,
          status: response.status,
          issues: [{ path: [], message: `success body is not JSON (${type})` }],
        });
      }
    }
    // A 204 may not carry a body in a Response; one that arrived anyway is passed on as a 200.
    const status = response.status === 204 && bytes.length > 0 ? 200 : response.status;
    return new Response(NULL_BODY.has(status) ? null : bytes, {
      status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
