import type { ScpLogger } from "../options.js";
import type { Call, Send } from "./call.js";

/** Adds credentials to a call, and says whether a 401 is worth one replay with fresh ones. @internal */
export interface Authenticator {
  authorize(call: Call): Promise<Call>;
  /** Called after a 401 on `authorized`; returns true when new credentials may help. */
  refresh?(authorized: Call): boolean;
}

/**
 * Authenticates each call; on a 401 it refreshes the credentials once and replays the call once. It sits
 * outside the retry layer, so the replay is retried like any call.
 * @internal
 */
export function withAuth(next: Send, auth: Authenticator, logger?: ScpLogger): Send {
  return async (call) => {
    const authorized = await auth.authorize(call);
    const response = await next(authorized);
    if (response.status !== 401 || !auth.refresh?.(authorized)) {
      return response;
    }
    await response.body?.cancel();
    logger?.warn?.("credentials rejected; logging in again", { method: call.method, path: call.url.pathname });
    return next(await auth.authorize(call));
  };
}
