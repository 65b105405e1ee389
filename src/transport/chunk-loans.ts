/** What runs when a lent chunk comes back, by chunk. */
const loans = new WeakMap<Uint8Array, () => void>();

/**
 * Lends `chunk` to whoever reads it next: `back` runs once, when that reader gives it back (see
 * {@link giveBackChunk}) and the lender may fill it again. A chunk never given back is simply collected, so a
 * reader that knows nothing of loans (undici, a caller's stream) is served correctly, only without the reuse.
 */
function lendChunk(chunk: Uint8Array, back: () => void): void {
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

/**
 * Buffers of one size, lent out and kept for reuse once given back (up to `keep` of them): what a download's
 * chunks and an upload's file reads are made of.
 * @internal
 */
export class ChunkPool {
  readonly #size: number;
  readonly #keep: number;
  readonly #spare: Buffer[] = [];

  constructor(size: number, keep: number) {
    this.#size = size;
    this.#keep = keep;
  }

  /** A buffer of the pool's size: one given back, else a new one. */
  take(): Buffer {
    return this.#spare.pop() ?? Buffer.allocUnsafe(this.#size);
  }

  /** Lends `buffer` (taken from this pool) to its next reader; given back, it is kept for the next `take`. */
  lend(buffer: Buffer): void {
    lendChunk(buffer, () => {
      if (this.#spare.length < this.#keep) {
        this.#spare.push(buffer);
      }
    });
  }
}
