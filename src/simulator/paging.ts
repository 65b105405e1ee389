import type { Page } from "../generated/schema.js";
import { enumParam } from "./request-body.js";
import { SimHttpError } from "./responses.js";
import { sortByKey } from "./sorted-index.js";

/** The largest page SCP serves. */
export const MAX_PAGE_SIZE = 100;

/** Which page a list request asks for, and in what order. */
export interface PageRequest {
  /** Page number, from 0. */
  readonly pageNum: number;
  /** Items per page. */
  readonly pageSize: number;
  /** The field to sort by (the first of `sort`); undefined keeps the list's own order. */
  readonly sortField: string | undefined;
  /** `order_by=DESC`: the order reversed. */
  readonly descending: boolean;
}

/** Reads and checks `page_num`, `page_size`, `sort` and `order_by`; 400 when one is malformed. */
export function pageRequest(query: URLSearchParams): PageRequest {
  const pageNum = intParam(query, "page_num", 0);
  const pageSize = intParam(query, "page_size", MAX_PAGE_SIZE);
  if (pageNum < 0) {
    throw new SimHttpError(400, "page_num must be 0 or more");
  }
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SimHttpError(400, `page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const order = enumParam(query, "order_by", ["ASC", "DESC"] as const);
  const sortField = query.get("sort")?.split(",")[0]?.trim() || undefined;
  return { pageNum, pageSize, sortField, descending: order === "DESC" };
}

/**
 * Where a page lies in the ascending (or the list's own) order of `total` matching items: positions `from` to
 * `to` (exclusive). A descending page counts from the end; an ascending one needs no total.
 */
export function pagePositions(request: PageRequest, total = Number.POSITIVE_INFINITY): { from: number; to: number } {
  const start = request.pageNum * request.pageSize;
  if (!request.descending) {
    return { from: start, to: Math.min(total, start + request.pageSize) };
  }
  return { from: Math.max(0, total - start - request.pageSize), to: Math.max(0, total - start) };
}

/** A page in SCP's shape: `next_page_num` a string, `""` on the last page. */
export function pageResult<V>(request: PageRequest, total: number, data: V[]): Page & { data: V[] } {
  const { pageNum, pageSize } = request;
  return {
    page_num: pageNum,
    page_size: pageSize,
    total_size: total,
    next_page_num: (pageNum + 1) * pageSize < total ? String(pageNum + 1) : "",
    data,
  };
}

/**
 * One page of `ordered`, the matching items in ascending (or the list's own) order; a descending request pages
 * from its end. Only the page's items are turned into their wire `view`.
 */
export function pageOf<T, V>(ordered: readonly T[], request: PageRequest, view: (item: T) => V): Page & { data: V[] } {
  const { from, to } = pagePositions(request, ordered.length);
  const items = ordered.slice(from, to);
  return pageResult(request, ordered.length, (request.descending ? items.reverse() : items).map(view));
}

/**
 * One page of a short list: sorted by the `sort` field of each item's wire view (stable), then paged. Sorting
 * builds every item's view; without `sort` only the page's.
 */
export function paginate<T, V = T>(
  items: readonly T[],
  query: URLSearchParams,
  view: (item: T) => V = (item) => item as unknown as V,
): Page & { data: V[] } {
  const request = pageRequest(query);
  const field = request.sortField;
  const ordered =
    field === undefined
      ? items
      : sortByKey(items, (item) => String((view(item) as Record<string, unknown>)[field] ?? ""));
  return pageOf(ordered, request, view);
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === "") {
    return fallback;
  }
  if (!/^-?\d+$/.test(text)) {
    throw new SimHttpError(400, `${name} must be an integer`);
  }
  return Number.parseInt(text, 10);
}
