import type { Random } from "../random.js";

/** A token handed out by a password login. */
export interface IssuedToken {
  /** The token (32 hex digits). */
  readonly id: string;
  /** Owner. */
  readonly userId: string;
  /** When it was issued. */
  readonly issuedAtMs: number;
  /** When it stops working. */
  readonly expiresAtMs: number;
}

/** Tokens from password logins, with their lifetimes. */
export class TokenStore {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #ttlMs: number;

  /** Creates a store whose tokens live `ttlMs`. */
  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Issues a new token for the user. */
  issue(userId: string, nowMs: number, random: Random): IssuedToken {
    const token = { id: random.hex(32), userId, issuedAtMs: nowMs, expiresAtMs: nowMs + this.#ttlMs };
    this.#tokens.set(token.id, token);
    return token;
  }

  /** The live token with this id; undefined when unknown or expired. */
  lookup(id: string, nowMs: number): IssuedToken | undefined {
    const token = this.#tokens.get(id);
    if (token && nowMs >= token.expiresAtMs) {
      this.#tokens.delete(id);
      return undefined;
    }
    return token;
  }
}
