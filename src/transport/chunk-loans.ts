/** What runs when a lent chunk comes back, by chunk. */
const loans = new WeakMap<Uint8Array, () => void>();

/**
 * Lends `chunk` to whoever reads it next: `back` runs once, when that reader gives it back (see
 * {@link giveBackChunk}) and the lender may fill it again. A chunk never given back is simply collected, so a
 * reader that knows nothing of loans (undici, a caller's stream) is served correctly, only without the reuse.
 * @internal
 */
export function lendChunk(chunk: Uint8Array, back: () => void): void {
  loans.set(chunk, back);
}

/**
 * Gives back a lent chunk that nothing reads or keeps any more (written to the disk, or to the socket); does
 * nothing for one that was not lent, or was given back already.
 * @internal
 */
export function giveBackChunk(chunk: Uint8Array): void {
  const back = loans.get(chunk);
  if (back) {
    loans.delete(chunk);
    back();
  }
}
