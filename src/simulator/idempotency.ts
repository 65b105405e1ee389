/**
 * Remembers `X-Client-Token` values for a window, as SCP does for POST and PUT: a token seen within the window
 * is refused, and the refused request is not applied. A token is reserved once auth passes and released again
 * when the request is refused or fails (nothing applied): only an applied request uses its token up. (When real
 * SCP records a token is not documented; this is the reading under which a 429 means "it applied".)
 */
export class IdempotencyStore {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  /** Tokens were recorded in time order (the clock never went back), so expiry can stop at the first live one. */
  #inOrder = true;
  #lastMs = Number.NEGATIVE_INFINITY;

  /** Creates a store that remembers tokens for `windowMs`. */
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** True when the token was seen within the window; otherwise records it and returns false. */
  check(token: string, nowMs: number): boolean {
    this.#forget(nowMs);
    const seenAt = this.#seen.get(token);
    if (seenAt !== undefined) {
      return true;
    }
    this.#seen.set(token, nowMs);
    this.#inOrder &&= nowMs >= this.#lastMs;
    this.#lastMs = Math.max(this.#lastMs, nowMs);
    return false;
  }

  /** Forgets a reserved token whose request applied nothing. */
  release(token: string): void {
    this.#seen.delete(token);
  }

  /** Tokens still remembered at `nowMs`. */
  tokens(nowMs: number): string[] {
    this.#forget(nowMs);
    return [...this.#seen.keys()];
  }

  #forget(nowMs: number): void {
    for (const [token, seenAt] of this.#seen) {
      if (nowMs - seenAt >= this.#windowMs) {
        this.#seen.delete(token);
      } else if (this.#inOrder) {
        // Every later token is younger: a fleet's thousands of remembered tokens are not scanned per request.
        return;
      }
    }
  }
}
