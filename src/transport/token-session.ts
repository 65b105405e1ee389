import { abortable } from "../sleep.js";
import type { CallContext, Outgoing } from "./call-context.js";
import type { Authenticator } from "./with-auth.js";

/** A token and when it stops working. @internal */
export interface LoginResult {
  token: string;
  /** Epoch milliseconds; undefined when SCP did not say. */
  expiresAt: number | undefined;
}

/** Renew this long before the stated expiry, so a call never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Holds the current token: one login at a time however many calls wait for it (a caller's abort stops only
 * its own wait), renewal before `expires`, and invalidation after a 401.
 * @internal
 */
export class TokenSession implements Authenticator {
  #current: LoginResult | undefined;
  #pending: Promise<LoginResult> | undefined;
  readonly #login: () => Promise<LoginResult>;
  readonly #now: () => number;

  constructor(login: () => Promise<LoginResult>, now: () => number = Date.now) {
    this.#login = login;
    this.#now = now;
  }

  /** Returns a valid token, logging in when there is none or it is about to expire. */
  async token(signal?: AbortSignal): Promise<string> {
    const current = this.#current;
    if (current && (current.expiresAt === undefined || current.expiresAt - EXPIRY_MARGIN_MS > this.#now())) {
      return current.token;
    }
    this.#pending ??= this.#login()
      .then((result) => {
        this.#current = result;
        return result;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return (await abortable(this.#pending, signal)).token;
  }

  async authorize(request: Outgoing, ctx: CallContext): Promise<Outgoing> {
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Token ${await this.token(ctx.signal)}`);
    return { ...request, headers };
  }

  secrets(authorized: Outgoing): string[] {
    const sent = authorized.headers.get("authorization")?.replace(/^Token /, "");
    return sent ? [sent] : [];
  }

  refresh(authorized: Outgoing): boolean {
    const sent = authorized.headers.get("authorization")?.replace(/^Token /, "");
    // Only forget the token that was refused; another call may already have a newer one.
    if (sent !== undefined && this.#current?.token === sent) {
      this.#current = undefined;
    }
    return true;
  }
}
