/**
 * Remembers `X-Client-Token` values for a window, as SCP does for POST and PUT: a token seen within the window
 * is refused, and the refused request is not applied.
 */
export class IdempotencyStore {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;

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
    return false;
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
      }
    }
  }
}
