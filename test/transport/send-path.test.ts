// How a call leaves the SDK when no fetch is given: through undici's request on a real loopback connection, with
// compressed JSON answers decoded (and capped after decoding), downloads asked for as stored, and every call going
// through `globalThis.fetch` instead once something (msw, a test double) has replaced it.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, expect, test, vi } from "vitest";
import { ScpResponseError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { useLoopback } from "../support/loopback.js";
import { useTempDir } from "../support/temp-dir.js";

const loopback = useLoopback();
const VERSION = { code: 0, message: "", data: { build_version: "6.11.1" } };
const IMAGE = "0b8c6c4e-0000-4000-8000-00000000bbbb";
const temp = useTempDir("scp-send-path-");

afterEach(() => {
  vi.unstubAllGlobals();
  loopback.received.length = 0;
});

const ENCODERS = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;

test.each(Object.keys(ENCODERS) as (keyof typeof ENCODERS)[])(
  "a %s-compressed JSON answer is decoded",
  async (coding) => {
    loopback.handler = () => ({
      status: 200,
      raw: ENCODERS[coding](Buffer.from(JSON.stringify(VERSION))),
      headers: { "content-encoding": coding },
    });
    await expect(testClient({ baseUrl: loopback.url }).system.version()).resolves.toMatchObject({ version: "6.11.1" });
    expect(loopback.received[0]?.headers["accept-encoding"]).toBe("gzip, deflate, br");
  },
);

test("the size cap counts decoded bytes: a small gzip body that expands past maxResponseBytes is refused", async () => {
  const big = { ...VERSION, data: { build_version: "6.11.1", padding: "x".repeat(2_000_000) } };
  const raw = gzipSync(Buffer.from(JSON.stringify(big)));
  expect(raw.length).toBeLessThan(10_000);
  const headers = { "content-encoding": "gzip", "content-length": String(raw.length) };
  loopback.handler = () => ({ status: 200, raw, headers });
  const error = await testClient({ baseUrl: loopback.url, maxResponseBytes: 1_000_000 })
    .system.version()
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.message).toContain("larger than 1000000 bytes");
});

test("a download asks for the bytes as stored: no compression, and its hash is of what was sent", async () => {
  const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 13) % 251));
  loopback.handler = () => ({
    status: 200,
    raw: data,
    headers: { "content-type": "application/octet-stream", "content-length": String(data.length) },
  });
  const file = join(temp.dir, "image.vma");
  const result = await testClient({ baseUrl: loopback.url }).images.download(IMAGE, { file });
  expect(loopback.received[0]?.headers["accept-encoding"]).toBeUndefined();
  expect(result.sha256).toBe(createHash("sha256").update(data).digest("hex"));
  expect(await readFile(file)).toEqual(data);
});

test("once globalThis.fetch is replaced, calls go through it; put back, they go straight to undici again", async () => {
  loopback.handler = () => ({ status: 200, json: VERSION });
  const scp = testClient({ baseUrl: loopback.url });
  const original = globalThis.fetch;
  const seen: string[] = [];
  vi.stubGlobal("fetch", (input: string | URL | Request, init?: RequestInit) => {
    seen.push(String(input instanceof Request ? input.url : input));
    return original(input, init);
  });
  await scp.system.version();
  expect(seen).toEqual([`${loopback.url}/janus/20180725/system/version`]);
  vi.unstubAllGlobals();
  await scp.system.version();
  expect(seen).toHaveLength(1);
  expect(loopback.received).toHaveLength(2);
});

test("a caller's fetch may answer a Response of another class (undici's own fetch, say), and it is read as one", async () => {
  const { Response: UndiciResponse } = await import("undici");
  const fetch = async () =>
    new UndiciResponse(JSON.stringify(VERSION), { headers: { "content-type": "application/json" } }) as never;
  await expect(testClient({ fetch }).system.version()).resolves.toMatchObject({ version: "6.11.1" });
});
