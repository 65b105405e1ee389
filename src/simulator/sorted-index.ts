/**
 * The order lists sort in: `a.localeCompare(b, "en", { numeric: true })` (so vm-9 comes before vm-10), from one
 * collator; localeCompare with options builds a new one per call, which costs a hundred times more.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator("en", { numeric: true }).compare;

/**
 * Insertion numbers (`seq`) in ascending order of a text key, ties (and keys the collator calls equal) in
 * ascending `seq`: what a stable sort of a list in insertion order gives. Sorted once, then kept in order one
 * insert or removal at a time. Keys and numbers sit in two flat arrays, so a walk reads memory in order.
 */
export class SortedIndex {
  readonly #keys: string[] = [];
  readonly #seqs: number[] = [];
  /** The key each entry was filed under, to find it again after its item changed. */
  readonly #filedKey = new Map<number, string>();

  /** Sorts the entries. */
  constructor(entries: Iterable<readonly [key: string, seq: number]>) {
    const sorted = [...entries].sort(([ka, sa], [kb, sb]) => compareText(ka, kb) || sa - sb);
    for (const [key, seq] of sorted) {
      this.#keys.push(key);
      this.#seqs.push(seq);
      this.#filedKey.set(seq, key);
    }
  }

  /** The insertion numbers in ascending key order (read-only; it changes with the index). */
  get seqs(): readonly number[] {
    return this.#seqs;
  }

  /** Adds an entry. */
  insert(key: string, seq: number): void {
    const at = this.#lowerBound(key, seq);
    this.#keys.splice(at, 0, key);
    this.#seqs.splice(at, 0, seq);
    this.#filedKey.set(seq, key);
  }

  /** Removes an entry; false when absent. */
  remove(seq: number): boolean {
    const key = this.#filedKey.get(seq);
    if (key === undefined) {
      return false;
    }
    const found = this.#lowerBound(key, seq);
    // Found where its key says; the scan would only run if the order were broken some other way.
    const at = this.#seqs[found] === seq ? found : this.#seqs.indexOf(seq);
    this.#keys.splice(at, 1);
    this.#seqs.splice(at, 1);
    this.#filedKey.delete(seq);
    return true;
  }

  /** Moves an entry whose key changed to its new place. */
  rekey(seq: number, key: string): void {
    if (this.#filedKey.has(seq) && this.#filedKey.get(seq) !== key) {
      this.remove(seq);
      this.insert(key, seq);
    }
  }

  /** The first position whose entry is not before (key, seq). */
  #lowerBound(key: string, seq: number): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((compareText(this.#keys[mid] as string, key) || (this.#seqs[mid] as number) - seq) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}

/**
 * `items` stably sorted by `keyOf` in {@link compareText} order, comparing each distinct key once: few distinct
 * values (a status) cost a pass over the items, not n log n collator calls.
 */
export function sortByKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const keys = items.map(keyOf);
  const distinct = [...new Set(keys)].sort(compareText);
  const rank = new Map<string, number>();
  let current = 0;
  for (const [i, key] of distinct.entries()) {
    // Keys the collator calls equal share a rank, so they keep their input order as a stable sort would.
    const previous = distinct[i - 1];
    if (previous !== undefined && compareText(previous, key) !== 0) {
      current = i;
    }
    rank.set(key, current);
  }
  const buckets: T[][] = distinct.map(() => []);
  for (const [i, item] of items.entries()) {
    buckets[rank.get(keys[i] as string) ?? 0]?.push(item);
  }
  return buckets.flat();
}
