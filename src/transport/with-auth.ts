import { type CallContext, heldIdle, type Outgoing, type Send } from "./call-context.js";
import type { Observer } from "./observe.js";

/** Adds credentials to a request, and says whether a 401 is worth one replay with fresh ones. @internal */
export interface Authenticator {
  /** The request with credentials added (a copy: the original is never changed). */
  authorize(request: Outgoing, ctx: CallContext): Promise<Outgoing>;
  /** Called after a 401 on `authorized`; returns true when new credentials may help. */
  refresh?(authorized: Outgoing): boolean;
  /** Credentials `authorized` carries on the wire, to keep out of errors should a server echo them. */
  secrets?(authorized: Outgoing): string[];
}

async function sendAuthorized(next: Send, auth: Authenticator, request: Outgoing, ctx: CallContext) {
  // A login (and its own retries) is not the call's bytes moving: a transfer's idle watch waits it out.
  const authorized = await heldIdle(ctx, () => auth.authorize(request, ctx));
  for (const secret of auth.secrets?.(authorized) ?? []) {
    ctx.record.secrets.add(secret);
  }
  return { authorized, response: await next(authorized, ctx) };
}

/**
 * Authenticates each call; on a 401 it refreshes the credentials once and replays the call once. It sits
 * outside the retry layer, so the replay is retried like any call. The credentials each attempt sent are noted in
 * the call's record, so no error built from a server's echo can carry them.
 * @internal
 */
export function withAuth(next: Send, auth: Authenticator, observer: Observer): Send {
  return async (request, ctx) => {
    const { authorized, response } = await sendAuthorized(next, auth, request, ctx);
    if (response.status !== 401 || !auth.refresh?.(authorized)) {
      return response;
    }
    await response.body?.cancel().catch(() => undefined);
    observer.log(
      "warn",
      { requestId: ctx.record.requestId, method: request.method, path: request.url.pathname },
      "credentials rejected; logging in again",
    );
    return (await sendAuthorized(next, auth, request, ctx)).response;
  };
}
