import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { collect, ScpResponseError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, page, useMsw, v1, v2 } from "../support/msw.js";

const server = useMsw();
const VMS = Array.from({ length: 250 }, (_, i) => ({ id: `vm-${String(i).padStart(3, "0")}`, name: `vm ${i}` }));

function serveVms(seen: URLSearchParams[]) {
  server.use(
    http.get(`${BASE}/janus/20240725/servers`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      seen.push(query);
      const size = Number(query.get("page_size") ?? 100);
      if (size > 100) {
        return HttpResponse.json({ errcode: "400", message: "page_size too large", data: {} }, { status: 400 });
      }
      return v2(page(VMS, Number(query.get("page_num") ?? 0), size));
    }),
  );
}

test("listAll walks 250 VMs over three pages of at most 100, from page 0", async () => {
  const seen: URLSearchParams[] = [];
  serveVms(seen);
  const all = await collect(testClient().servers.listAll({ az_id: "az-1" }), { limit: 1000 });
  expect(all.map((v) => v.id)).toEqual(VMS.map((v) => v.id));
  expect(seen.map((q) => q.get("page_num"))).toEqual(["0", "1", "2"]);
  expect(seen.every((q) => q.get("page_size") === "100" && q.get("az_id") === "az-1")).toBe(true);
});

test("breaking out of the loop stops fetching", async () => {
  const seen: URLSearchParams[] = [];
  serveVms(seen);
  let count = 0;
  for await (const _vm of testClient().servers.listAll()) {
    if (++count === 120) {
      break;
    }
  }
  expect(seen).toHaveLength(2);
});

test("one page reports its position; the last page has no next page", async () => {
  serveVms([]);
  const scp = testClient();
  const first = await scp.servers.list({ page_num: 0, page_size: 100 });
  expect(first).toMatchObject({ pageNum: 0, totalSize: 250, nextPageNum: 1 });
  const last = await scp.servers.list({ page_num: 2, page_size: 100 });
  expect(last.items).toHaveLength(50);
  expect(last.nextPageNum).toBeUndefined();
});

test("a list whose data is a bare array is read as one page", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/azs`, () =>
      v1([
        { id: "az-1", name: "pool 1" },
        { id: "az-2", name: "pool 2" },
      ]),
    ),
  );
  const pools = await collect(testClient().azs.listAll(), { limit: 10 });
  expect(pools.map((p) => p.id)).toEqual(["az-1", "az-2"]);
});

test("a server that keeps answering the same next page is refused as inconsistent, not looped on", async () => {
  let calls = 0;
  server.use(
    http.get(`${BASE}/janus/20180725/azs`, () => {
      calls++;
      return v1({ data: [{ id: "az-1", name: "p" }], page_num: 0, page_size: 100, total_size: 9, next_page_num: "0" });
    }),
  );
  const error = await collect(testClient().azs.listAll(), { limit: 10 }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.message).toContain("next_page_num 0 does not move past page 0");
  expect(calls).toBe(1);
});

test("collect stops at its limit without fetching further pages", async () => {
  const seen: URLSearchParams[] = [];
  serveVms(seen);
  const first = await collect(testClient().servers.listAll(), { limit: 100 });
  expect(first).toHaveLength(100);
  expect(seen).toHaveLength(1);
});

test("collect refuses what it cannot iterate and a limit that is not a whole number, typed", async () => {
  const items = (async function* () {
    yield 1;
  })();
  for (const [source, options] of [
    [null, { limit: 1 }],
    [{}, { limit: 1 }],
    [items, { limit: Number.NaN }],
    [items, { limit: 1.5 }],
    [items, { limit: -1 }],
    [items, null],
  ] as const) {
    await expect(collect(source as never, options as never)).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(await collect(items, { limit: Number.POSITIVE_INFINITY })).toEqual([1]);
});
