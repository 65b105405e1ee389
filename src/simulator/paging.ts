import type { Page } from "../generated/schema.js";
import { enumParam } from "./request-body.js";
import { SimHttpError } from "./responses.js";

/** The largest page SCP serves. */
export const MAX_PAGE_SIZE = 100;

/** One page of a list, in SCP's shape (`next_page_num` a string, `""` on the last page). */
export function paginate<T>(items: readonly T[], query: URLSearchParams): Page & { data: T[] } {
  const pageNum = intParam(query, "page_num", 0);
  const pageSize = intParam(query, "page_size", MAX_PAGE_SIZE);
  if (pageNum < 0) {
    throw new SimHttpError(400, "page_num must be 0 or more");
  }
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SimHttpError(400, `page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const sorted = sortItems(items, query);
  const start = pageNum * pageSize;
  const hasMore = start + pageSize < sorted.length;
  return {
    page_num: pageNum,
    page_size: pageSize,
    total_size: sorted.length,
    next_page_num: hasMore ? String(pageNum + 1) : "",
    data: sorted.slice(start, start + pageSize),
  };
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

function sortItems<T>(items: readonly T[], query: URLSearchParams): T[] {
  const order = enumParam(query, "order_by", ["ASC", "DESC"] as const);
  const field = query.get("sort")?.split(",")[0]?.trim();
  if (!field) {
    return order === "DESC" ? [...items].reverse() : [...items];
  }
  const key = (item: T) => String((item as Record<string, unknown>)[field] ?? "");
  const sorted = [...items].sort((a, b) => key(a).localeCompare(key(b), "en", { numeric: true }));
  return order === "DESC" ? sorted.reverse() : sorted;
}
