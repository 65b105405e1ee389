import type { ScpLogger } from "../options.js";
import type { Call, Send } from "./call.js";
import { carryTags } from "./response-info.js";

/** Adds credentials to a call, and says whether a 401 is worth one replay with fresh ones. @internal */
export interface Authenticator {
  authorize(call: Call): Promise<Call>;
  /** Called after a 401 on `authorized`; returns true when new credentials may help. */
  refresh?(authorized: Call): boolean;
  /** Secrets `authorized` carries on the wire, to scrub from error bodies a proxy may echo them into. */
  secrets?(authorized: Call): string[];
}

/** Replaces every secret in an error body; the response is returned as is when none occurs. */
async function scrub(response: Response, secrets: readonly string[]): Promise<Response> {
  if (response.ok || secrets.length === 0 || response.body === null) {
    return response;
  }
  const text = await response.clone().text();
  if (!secrets.some((s) => text.includes(s))) {
    return response;
  }
  const clean = secrets.reduce((t, s) => t.split(s).join("[redacted]"), text);
  return carryTags(
    response,
    new Response(clean, { status: response.status, statusText: response.statusText, headers: response.headers }),
  );
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
      return scrub(response, auth.secrets?.(authorized) ?? []);
    }
    await response.body?.cancel();
    logger?.warn?.("credentials rejected; logging in again", { method: call.method, path: call.url.pathname });
    const again = await auth.authorize(call);
    return scrub(await next(again), auth.secrets?.(again) ?? []);
  };
}
