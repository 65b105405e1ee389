import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/** Base URL the msw handlers answer for. */
export const BASE = "https://scp.test:4430";

/** Starts an msw server for the calling test file; unhandled requests fail the test. */
export function useMsw() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A V1 success envelope. */
export const v1 = (data: unknown, init?: ResponseInit) => HttpResponse.json({ code: 0, message: "", data }, init);

/** A V2 success envelope. */
export const v2 = (data: unknown, init?: ResponseInit) => HttpResponse.json({ errcode: "", message: "", data }, init);

/** A V1 error envelope with the status repeated in `code`. */
export const v1Error = (status: number, message: string, headers?: HeadersInit) =>
  HttpResponse.json({ code: status, message, data: {} }, { status, ...(headers ? { headers } : {}) });

/** A V2 error envelope with the status as a string in `errcode`. */
export const v2Error = (status: number, message: string) =>
  HttpResponse.json({ errcode: String(status), message, data: {} }, { status });

/** One page of a list, shaped as SCP shapes it. */
export function page<T>(all: readonly T[], pageNum: number, pageSize: number) {
  const items = all.slice(pageNum * pageSize, (pageNum + 1) * pageSize);
  const last = (pageNum + 1) * pageSize >= all.length;
  return {
    data: items,
    page_num: pageNum,
    page_size: pageSize,
    total_size: all.length,
    next_page_num: last ? "" : String(pageNum + 1),
  };
}
