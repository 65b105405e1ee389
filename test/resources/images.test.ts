import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ScpNotFoundError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { useLoopback } from "../support/loopback.js";
import { BASE, page, useMsw, v1, v2, v2Error } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const IMAGE = "0b8c6c4e-0000-4000-8000-00000000aaaa";
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scp-images-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 251));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

// Streamed uploads go through undici's request, which msw does not see: they are tested on a loopback server.
const loopback = useLoopback();

function acceptUpload() {
  loopback.received.length = 0;
  loopback.handler = (request) =>
    request.method === "PUT" && request.path === `/janus/20180725/images/${IMAGE}/upload`
      ? { status: 200, json: { code: 0, message: "", data: { task_id: "t-dist" } } }
      : { status: 404, json: { code: 404, message: "not found", data: {} } };
  return loopback.received;
}

test("create refuses an image with no pool before sending", async () => {
  const error = await testClient()
    .images.create({ azs: [], disk_format: "aCloud", image_type: "private" })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.message).toContain("azs: must name at least one resource pool");
});

test("upload streams a file as octet-stream with progress, and returns the distribution task", async () => {
  const data = bytes(300_000);
  const file = join(dir, "proxy.vma");
  await writeFile(file, data);
  const received = acceptUpload();
  const progress: number[] = [];
  const ref = await testClient({ baseUrl: loopback.url }).images.upload(
    IMAGE,
    { file },
    { onProgress: (done) => progress.push(done) },
  );
  expect(ref).toEqual({ taskId: "t-dist" });
  expect(received).toHaveLength(1);
  expect(sha(received[0]?.body as Buffer)).toBe(sha(data));
  expect(received[0]?.headers["content-type"]).toBe("application/octet-stream");
  expect(received[0]?.headers["content-length"]).toBe(String(data.length));
  expect(received[0]?.headers["x-client-token"]).toBeTruthy();
  expect(progress.at(-1)).toBe(data.length);
});

test("upload from a stream spools it to a temporary file and sends the same bytes", async () => {
  const data = bytes(70_000);
  const received = acceptUpload();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data.subarray(0, 30_000));
      controller.enqueue(data.subarray(30_000));
      controller.close();
    },
  });
  await testClient({ baseUrl: loopback.url }).images.upload(IMAGE, { stream });
  expect(sha(received[0]?.body as Buffer)).toBe(sha(data));
});

function serveDownload(
  data: Buffer,
  options: { failFirstAt?: number; ignoreRange?: boolean; requests: (string | null)[] },
) {
  server.use(
    http.get(`${BASE}/janus/20240725/images/:id/download`, ({ request }) => {
      const range = request.headers.get("range");
      options.requests.push(range);
      const start = range && !options.ignoreRange ? Number(/bytes=(\d+)-/.exec(range)?.[1]) : 0;
      const first = options.requests.length === 1;
      const stop = first && options.failFirstAt !== undefined ? options.failFirstAt : data.length;
      let sent = false;
      // First pull delivers the bytes; the next one ends the stream, or breaks it like a dropped connection.
      const body = new ReadableStream<Uint8Array>({
        pull(controller): Promise<void> | undefined {
          if (!sent) {
            sent = true;
            controller.enqueue(data.subarray(start, stop));
          } else if (stop < data.length) {
            // Break a little later, as a real drop would, not before the first bytes arrive.
            return new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() =>
              controller.error(new Error("connection reset")),
            );
          } else {
            controller.close();
          }
          return undefined;
        },
      });
      const headers: Record<string, string> = {
        "content-type": "application/octet-stream",
        "content-length": String(data.length - start),
      };
      if (start > 0) {
        headers["content-range"] = `bytes ${start}-${data.length - 1}/${data.length}`;
      }
      return new HttpResponse(body, { status: start > 0 ? 206 : 200, headers });
    }),
  );
}

test("download writes the file with its sha256", async () => {
  const data = bytes(200_000);
  const requests: (string | null)[] = [];
  serveDownload(data, { requests });
  const file = join(dir, "down-1.vma");
  const result = await testClient().images.download(IMAGE, { file });
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
  expect(sha(await readFile(file))).toBe(sha(data));
});

test("a dropped download resumes with Range and the result is whole", async () => {
  const data = bytes(200_000);
  const requests: (string | null)[] = [];
  serveDownload(data, { failFirstAt: 123_456, requests });
  const file = join(dir, "down-2.vma");
  const result = await testClient().images.download(IMAGE, { file });
  expect(requests).toEqual([null, "bytes=123456-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(sha(await readFile(file))).toBe(sha(data));
});

test("a server that ignores Range on resume makes the download start over, still whole", async () => {
  const data = bytes(100_000);
  const requests: (string | null)[] = [];
  serveDownload(data, { failFirstAt: 40_000, ignoreRange: true, requests });
  const file = join(dir, "down-3.vma");
  const result = await testClient().images.download(IMAGE, { file });
  expect(result.sha256).toBe(sha(data));
  expect((await readFile(file)).length).toBe(data.length);
});

test("a refused download (not exported) is not resumed", async () => {
  let calls = 0;
  server.use(
    http.get(`${BASE}/janus/20240725/images/:id/download`, () => {
      calls++;
      return v2Error(400, "image is not exported");
    }),
  );
  await expect(testClient().images.download(IMAGE, { file: join(dir, "never.vma") })).rejects.toThrow(
    "image is not exported",
  );
  expect(calls).toBe(1);
});

test("get finds an image through the list by id; a missing one is ScpNotFoundError", async () => {
  server.use(
    http.get(`${BASE}/janus/20200725/images`, ({ request }) => {
      const ids = new URL(request.url).searchParams.get("image_ids");
      const all = ids === IMAGE ? [{ id: IMAGE, name: "proxy", status: "active", image_type: "private" }] : [];
      return v1(page(all, 0, 100));
    }),
  );
  await expect(testClient().images.get(IMAGE)).resolves.toMatchObject({ name: "proxy" });
  await expect(testClient().images.get("missing")).rejects.toBeInstanceOf(ScpNotFoundError);
});

test("findByName keeps only exact matches of SCP's name filter", async () => {
  server.use(
    http.get(`${BASE}/janus/20200725/images`, () =>
      v1(
        page(
          [
            { id: "a", name: "proxy", status: "active" },
            { id: "b", name: "proxy-old", status: "active" },
          ],
          0,
          100,
        ),
      ),
    ),
  );
  const found = await testClient().images.findByName("proxy");
  expect(found.map((i) => i.id)).toEqual(["a"]);
});

test("export, update, delete and create-from-server call their operations", async () => {
  server.use(
    http.post(`${BASE}/janus/20240725/images/:id/export`, () => v2({ task_id: "t-x" }, { status: 201 })),
    http.put(`${BASE}/janus/20180725/images/:id`, () => v1({ task_id: "t-u" })),
    http.delete(`${BASE}/janus/20180725/images/:id`, () => new HttpResponse(null, { status: 204 })),
    http.post(`${BASE}/janus/20180725/images/action`, () => v1({ task_id: "t-a" }, { status: 201 })),
    http.post(`${BASE}/janus/20180725/images`, () => v1({ id: IMAGE, task_id: "t-c" }, { status: 201 })),
  );
  const scp = testClient();
  await expect(scp.images.export(IMAGE)).resolves.toEqual({ taskId: "t-x" });
  await expect(scp.images.update(IMAGE, { name: "renamed" })).resolves.toEqual({ taskId: "t-u" });
  await expect(scp.images.delete(IMAGE)).resolves.toBeUndefined();
  await expect(
    scp.images.createFromServer({ server_id: "vm", name: "golden", os_type: "l2664", azs: ["az"] }),
  ).resolves.toEqual({ taskId: "t-a" });
  await expect(
    scp.images.create({ azs: ["az"], disk_format: "aCloud", image_type: "private", name: "p" }),
  ).resolves.toEqual({ taskId: "t-c", imageId: IMAGE });
});

test("a failed download removes its file, and aborts (never closes) a stream target", async () => {
  server.use(http.get(`${BASE}/janus/20240725/images/:id/download`, () => v2Error(404, "no such image")));
  const file = join(dir, "failed.vma");
  await expect(testClient().images.download(IMAGE, { file })).rejects.toThrow("no such image");
  await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
  const events: string[] = [];
  const stream = new WritableStream<Uint8Array>({
    close: () => void events.push("close"),
    abort: () => void events.push("abort"),
  });
  await expect(testClient().images.download(IMAGE, { stream })).rejects.toThrow("no such image");
  expect(events).toEqual(["abort"]);
});

test("an edit never changes who may use an image: image_type, owner_id and visibility are refused unsent", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  for (const patch of [
    { image_type: "public" },
    { owner_id: "p-tenant" },
    { visibility: "public" },
    { image_members: [{ member_id: "p-tenant" }] },
    { name: "renamed", image_type: "private" },
  ]) {
    const error = await scp.images.update(IMAGE, patch as never).catch((e) => e);
    expect(error).toBeInstanceOf(ScpValidationError);
    expect(error.message).toMatch(/image_type|owner_id|visibility|image_members/);
  }
  expect(fetch.requests).toHaveLength(0);
});

test("a transfer whose file cannot be read or written, or whose options are bad, is refused typed and unsent", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  const stream = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const refusals: (() => Promise<unknown>)[] = [
    () => scp.images.upload(IMAGE, { file: join(dir, "missing.vma") }),
    () => scp.images.upload(IMAGE, { file: dir }),
    () => scp.images.upload(IMAGE, { stream: stream() }, { signal: "stop" as unknown as AbortSignal }),
    () => scp.images.upload(IMAGE, { stream: stream() }, { timeoutMs: Number.POSITIVE_INFINITY }),
    () => scp.images.download(IMAGE, { file: join(dir, "no-such-dir", "x.vma") }),
    () => scp.images.download(IMAGE, { file: dir }),
    () => scp.images.download(IMAGE, { file: join(dir, "d.vma") }, { clientToken: "a b" }),
  ];
  for (const call of refusals) {
    await expect(call()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toHaveLength(0);
});

test("an empty image edit is refused unsent, as an empty VM edit is (it would start a task that changes nothing)", async () => {
  const fetch = scriptedFetch([]);
  await expect(testClient({ fetch }).images.update(IMAGE, {})).rejects.toBeInstanceOf(ScpValidationError);
  expect(fetch.requests).toHaveLength(0);
});
