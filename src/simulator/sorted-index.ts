/**
 * The order lists sort in: `a.localeCompare(b, "en", { numeric: true })` (so vm-9 comes before vm-10), from one
 * collator; localeCompare with options builds a new one per call, which costs a hundred times more.
 */
export const compareText: (a: string, b: string) => number = new Intl.Collator("en", { numeric: true }).compare;

interface Entry<T> {
  readonly key: string;
  readonly seq: number;
  readonly item: T;
}

/**
 * Items in ascending key order, ties (and keys the collator calls equal) in ascending `seq`, which is what a
 * stable sort of a list in `seq` order gives. Sorted once, then kept in order one insert or removal at a time.
 */
export class SortedIndex<T> {
  readonly #keyOf: (item: T) => string;
  readonly #entries: Entry<T>[];
  readonly #byItem = new Map<T, Entry<T>>();

  /** Sorts `items` (each with its insertion number) by `keyOf`. */
  constructor(keyOf: (item: T) => string, items: Iterable<{ readonly item: T; readonly seq: number }>) {
    this.#keyOf = keyOf;
    this.#entries = [];
    for (const { item, seq } of items) {
      const entry = { key: keyOf(item), seq, item };
      this.#entries.push(entry);
      this.#byItem.set(item, entry);
    }
    this.#entries.sort(compareEntries);
  }

  /** Calls `visit` with every item, in ascending order. */
  forEach(visit: (item: T) => void): void {
    for (const entry of this.#entries) {
      visit(entry.item);
    }
  }

  /** Adds an item, keyed as it is now. */
  insert(item: T, seq: number): void {
    const entry = { key: this.#keyOf(item), seq, item };
    this.#entries.splice(this.#lowerBound(entry), 0, entry);
    this.#byItem.set(item, entry);
  }

  /** Removes an item (found by the key it had when inserted); false when absent. */
  remove(item: T): boolean {
    const entry = this.#byItem.get(item);
    if (!entry) {
      return false;
    }
    const at = this.#lowerBound(entry);
    // Found by the key it was filed under; the scan only runs if the order was broken some other way.
    this.#entries.splice(this.#entries[at] === entry ? at : this.#entries.indexOf(entry), 1);
    this.#byItem.delete(item);
    return true;
  }

  /** Moves an item whose key changed to its new place. */
  rekey(item: T): void {
    const entry = this.#byItem.get(item);
    if (entry && entry.key !== this.#keyOf(item)) {
      this.remove(item);
      this.insert(item, entry.seq);
    }
  }

  /** The first position whose entry is not before `entry`. */
  #lowerBound(entry: Entry<T>): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEntries(this.#entries[mid] as Entry<T>, entry) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}

function compareEntries<T>(a: Entry<T>, b: Entry<T>): number {
  return compareText(a.key, b.key) || a.seq - b.seq;
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
