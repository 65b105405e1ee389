import { z } from "zod";
import { ScpResponseError } from "../errors/call.js";
import { parseInput } from "../validate.js";

/** One page of a list. */
export interface ScpPage<T> {
  /** The items on this page. */
  items: T[];
  /** This page's number, from 0. */
  pageNum: number;
  /** Items in the whole list. */
  totalSize: number;
  /** The next page's number, or `undefined` on the last page. */
  nextPageNum: number | undefined;
}

/** Largest page SCP serves; `listAll` asks for pages of this size. @internal */
export const MAX_PAGE_SIZE = 100;

/**
 * A schema for SCP's list payload: `{data, page_num, total_size, next_page_num}`, or a bare array of items.
 * @internal
 */
export function pageSchema<T>(item: z.ZodType<T>): z.ZodType<ScpPage<T>> {
  const paged = z
    .looseObject({
      data: z.array(item).nullish(),
      page_num: z.number().int().nonnegative(),
      total_size: z.number().int().nonnegative(),
      // A string on the wire, "" on the last page; a number is tolerated.
      next_page_num: z.union([z.string(), z.number()]),
    })
    .transform((p): ScpPage<T> => {
      const next = p.next_page_num === "" ? undefined : Number(p.next_page_num);
      return {
        items: p.data ?? [],
        pageNum: p.page_num,
        totalSize: p.total_size,
        nextPageNum: Number.isInteger(next) ? next : undefined,
      };
    });
  // Some lists answer with a bare array: read it as the only page, through the same checks.
  const asPage = (value: unknown) =>
    Array.isArray(value) ? { data: value, page_num: 0, total_size: value.length, next_page_num: "" } : value;
  return z.preprocess(asPage, paged);
}

/** Pages a list may run beyond what its `total_size` implies (items added while paging). */
const SPARE_PAGES = 3;

/**
 * Yields every item of a paged list, fetching pages on demand from `page_num` 0 until the last page; breaking out
 * of the loop stops fetching. Paging is bounded: a list that does not end within the pages its `total_size`
 * implies (plus a few), or a page that comes back empty while the total says more follow, is an inconsistent
 * answer and throws instead of silently yielding a partial list.
 * @throws {@link ScpResponseError} on an inconsistent list.
 * @internal
 */
export async function* paginate<T>(
  fetchPage: (pageNum: number) => Promise<ScpPage<T>>,
  list: { pageSize: number; path: string },
): AsyncGenerator<T, void, undefined> {
  const { pageSize } = list;
  let pageNum = 0;
  let seen = 0;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(pageNum);
    yield* page.items;
    seen += page.items.length;
    if (page.nextPageNum === undefined || (page.items.length === 0 && seen >= page.totalSize)) {
      return;
    }
    const inconsistent =
      page.items.length === 0
        ? `page ${pageNum} is empty though total_size says ${page.totalSize - seen} more follow`
        : page.nextPageNum <= pageNum
          ? `next_page_num ${page.nextPageNum} does not move past page ${pageNum}`
          : pages > Math.ceil(page.totalSize / pageSize) + SPARE_PAGES
            ? `still not at the end after ${pages} pages of ${pageSize} (total_size ${page.totalSize})`
            : undefined;
    if (inconsistent !== undefined) {
      const issues = [{ path: [], message: `inconsistent list: ${inconsistent}` }];
      throw new ScpResponseError({ method: "GET", path: list.path, status: 200, issues });
    }
    pageNum = page.nextPageNum;
  }
}

const iterable = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function" ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function");

const CollectSchema = z.object({
  items: z.custom<AsyncIterable<unknown>>(iterable, "must be an async iterable, such as a listAll()"),
  options: z.object({ limit: z.union([z.number().int().min(0), z.literal(Number.POSITIVE_INFINITY)]) }),
});

/**
 * Collects up to `limit` items of an async iterable into an array, then stops iterating (Node 20 has no
 * `Array.fromAsync`; an explicit limit keeps a huge list from filling memory by accident: a whole number, or
 * `Infinity` to take everything).
 * @throws {@link ScpValidationError} when `items` is not iterable or `limit` is not such a number.
 */
export async function collect<T>(items: AsyncIterable<T>, options: { limit: number }): Promise<T[]> {
  parseInput(CollectSchema, { items, options }, "collect");
  const out: T[] = [];
  if (options.limit <= 0) {
    return out;
  }
  for await (const item of items) {
    out.push(item);
    if (out.length >= options.limit) {
      break;
    }
  }
  return out;
}
