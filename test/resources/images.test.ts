import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { ScpNetworkError, ScpNotFoundError, ScpResponseError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { useDownloadServer } from "../support/download-server.js";
import { useLoopback } from "../support/loopback.js";
import { BASE, page, useMsw, v1, v2 } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";
import { useTempDir } from "../support/temp-dir.js";

const server = useMsw();
const IMAGE = "0b8c6c4e-0000-4000-8000-00000000aaaa";
const temp = useTempDir("scp-images-test-");

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
  const file = join(temp.dir, "proxy.vma");
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

test("upload progress never goes back when a retry sends the file again", async () => {
  const data = bytes(5 * 1024 * 1024 + 7);
  const file = join(temp.dir, "retried.vma");
  await writeFile(file, data);
  loopback.received.length = 0;
  let puts = 0;
  loopback.handler = () =>
    ++puts === 1
      ? { status: 503, json: { code: 503, message: "busy" }, headers: { "retry-after": "0" } }
      : { status: 200, json: { code: 0, message: "", data: { task_id: "t-dist" } } };
  const progress: number[] = [];
  const scp = testClient({ baseUrl: loopback.url });
  await scp.images.upload(IMAGE, { file }, { onProgress: (done) => progress.push(done) });
  expect(loopback.received).toHaveLength(2);
  expect(sha(loopback.received[1]?.body as Buffer)).toBe(sha(data));
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(progress.at(-1)).toBe(data.length);
});

// Downloads go through the SDK's own connection: they are tested on a loopback server that can cut or stall one.
const downloads = useDownloadServer();
const downloadClient = (overrides: Parameters<typeof testClient>[0] = {}) =>
  testClient({ baseUrl: downloads.url, ...overrides });

test("download writes the file with its sha256 and reports progress", async () => {
  const data = bytes(200_000);
  downloads.serve({ data });
  const file = join(temp.dir, "down-1.vma");
  const progress: [number, number | undefined][] = [];
  const result = await downloadClient().images.download(
    IMAGE,
    { file },
    { onProgress: (d, t) => progress.push([d, t]) },
  );
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
  expect(sha(await readFile(file))).toBe(sha(data));
  expect(progress.at(-1)).toEqual([data.length, data.length]);
});

test("a dropped download resumes with Range and the result is whole", async () => {
  const data = bytes(200_000);
  const ranges = downloads.serve({ data, cutFirstAt: 123_456 });
  const file = join(temp.dir, "down-2.vma");
  const result = await downloadClient().images.download(IMAGE, { file });
  expect(ranges).toEqual([null, "bytes=123456-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(sha(await readFile(file))).toBe(sha(data));
});

test("a stalled download is given up after idleTimeoutMs and resumed with Range", async () => {
  const data = bytes(200_000);
  const ranges = downloads.serve({ data, stallFirstAt: 50_000 });
  const file = join(temp.dir, "down-stall.vma");
  const result = await downloadClient().images.download(IMAGE, { file }, { idleTimeoutMs: 200 });
  expect(ranges).toEqual([null, "bytes=50000-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
});

test("a server that ignores Range on resume: the bytes already written are skipped, and progress never goes back", async () => {
  const data = bytes(600_000);
  const ranges = downloads.serve({ data, cutFirstAt: 500_000, ignoreRange: true });
  const file = join(temp.dir, "down-3.vma");
  const progress: number[] = [];
  const result = await downloadClient().images.download(IMAGE, { file }, { onProgress: (done) => progress.push(done) });
  expect(ranges).toEqual([null, "bytes=500000-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(sha(await readFile(file))).toBe(sha(data));
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(progress.at(-1)).toBe(data.length);
});

test("a stream target resumes from a server that ignores Range: it gets each byte once", async () => {
  const data = bytes(100_000);
  const ranges = downloads.serve({ data, cutFirstAt: 40_000, ignoreRange: true });
  const received: Buffer[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (chunk) => void received.push(Buffer.from(chunk)) });
  const result = await downloadClient().images.download(IMAGE, { stream });
  expect(ranges).toEqual([null, "bytes=40000-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(Buffer.concat(received).equals(data)).toBe(true);
});

test("a resume sends If-Range with the first answer's ETag, and gets the rest while the file keeps it", async () => {
  const data = bytes(200_000);
  const ranges = downloads.serve({ data, etag: '"v1"', cutFirstAt: 123_456 });
  const file = join(temp.dir, "down-etag.vma");
  const result = await downloadClient().images.download(IMAGE, { file });
  expect(ranges).toEqual([null, "bytes=123456-"]);
  expect(downloads.ifRanges).toEqual([null, '"v1"']);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  // A weak ETag is not sent back: If-Range takes only strong ones.
  downloads.serve({ data, etag: 'W/"v1"', cutFirstAt: 123_456 });
  await downloadClient().images.download(IMAGE, { file });
  expect(downloads.ifRanges).toEqual([null, null]);
});

test("a file changed at the same size between answers is refused, never spliced: by a server that ignores Range, or through If-Range", async () => {
  const changed = { data: Buffer.alloc(100_000, 0xbb), firstData: Buffer.alloc(100_000, 0xaa), cutFirstAt: 40_000 };
  for (const server of [{ ignoreRange: true }, { etag: '"v2"', firstEtag: '"v1"' }]) {
    const ranges = downloads.serve({ ...changed, ...server });
    const file = join(temp.dir, "down-changed.vma");
    const error = await downloadClient()
      .images.download(IMAGE, { file })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScpResponseError);
    expect(String((error as Error).message)).toContain("the image changed between answers");
    // Refused for good: one resume, not five.
    expect(ranges).toEqual([null, "bytes=40000-"]);
    expect(downloads.ifRanges).toEqual([null, "etag" in server ? '"v1"' : null]);
    await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
  }
});

test("a body cut once no resume is left fails as the call's ScpNetworkError", async () => {
  downloads.serve({ data: bytes(200_000), cutFirstAt: 50_000 });
  const file = join(temp.dir, "down-cut.vma");
  const error = await downloadClient()
    .images.download(IMAGE, { file }, { maxResumes: 0 })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(error).toMatchObject({
    method: "GET",
    path: `/janus/20240725/images/${IMAGE}/download`,
    outcome: "unknown",
    requestId: expect.any(String),
  });
  await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
});

test("a slow stream target is not taken for a stalled server: no resume while it writes", async () => {
  // Larger than what the connection and the sockets can queue, so the answer is still coming when the target stalls.
  const data = randomBytes(32 * 1024 * 1024);
  const ranges = downloads.serve({ data });
  const received: Buffer[] = [];
  const stream = new WritableStream<Uint8Array>({
    write: async (chunk) => {
      received.push(Buffer.from(chunk));
      if (received.length === 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
  });
  const result = await downloadClient().images.download(IMAGE, { stream }, { idleTimeoutMs: 200 });
  expect(received.length).toBeGreaterThan(1);
  expect(ranges).toEqual([null]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
});

test("an abort ends a download whose stream target never takes its chunks", async () => {
  downloads.serve({ data: bytes(2_000_000) });
  const stream = new WritableStream<Uint8Array>({ write: () => new Promise<void>(() => undefined) });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("stop now")), 200);
  await expect(downloadClient().images.download(IMAGE, { stream }, { signal: controller.signal })).rejects.toThrow(
    "stop now",
  );
});

test("an onProgress that throws ends the download with its error, without a resume", async () => {
  const thrown: unknown[] = [new Error("the progress bar broke"), "the progress bar broke"];
  for (const error of thrown) {
    const ranges = downloads.serve({ data: bytes(100_000) });
    const file = join(temp.dir, "down-progress.vma");
    const onProgress = () => {
      throw error;
    };
    await expect(downloadClient().images.download(IMAGE, { file }, { onProgress })).rejects.toThrow(
      "the progress bar broke",
    );
    expect(ranges).toHaveLength(1);
    await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
  }
});

test("a 0-byte image reports its progress once, as done", async () => {
  downloads.serve({ data: Buffer.alloc(0) });
  const progress: [number, number | undefined][] = [];
  const file = join(temp.dir, "down-empty.vma");
  const result = await downloadClient().images.download(
    IMAGE,
    { file },
    { onProgress: (d, t) => progress.push([d, t]) },
  );
  expect(result).toEqual({ sizeBytes: 0, sha256: sha(Buffer.alloc(0)), resumes: 0 });
  expect(progress).toEqual([[0, 0]]);
});

test("a resume answered with a file of another size fails for good, and removes what was written", async () => {
  const data = bytes(100_000);
  const ranges = downloads.serve({ data, firstData: bytes(120_000), cutFirstAt: 40_000, ignoreRange: true });
  const file = join(temp.dir, "down-changed.vma");
  const error = await downloadClient()
    .images.download(IMAGE, { file })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(String((error as Error).message)).toContain(
    "the image is 100000 bytes in this answer, 120000 in an earlier one",
  );
  // Asked again, the server would give the same other file: one resume, not five.
  expect(ranges).toHaveLength(2);
  await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
});

test("a refused download (not exported) is not resumed", async () => {
  const ranges = downloads.serve({ data: bytes(10), error: { status: 400, message: "image is not exported" } });
  await expect(downloadClient().images.download(IMAGE, { file: join(temp.dir, "never.vma") })).rejects.toThrow(
    "image is not exported",
  );
  expect(ranges).toHaveLength(1);
});

test("a download through a custom fetch keeps its behaviour: a drop resumes with Range", async () => {
  const data = bytes(100_000);
  const ranges: (string | null)[] = [];
  server.use(
    http.get(`${BASE}/janus/20240725/images/:id/download`, ({ request }) => {
      const range = request.headers.get("range");
      ranges.push(range);
      const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1]) : 0;
      const cut = ranges.length === 1;
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller): Promise<void> | undefined {
          if (!sent) {
            sent = true;
            controller.enqueue(data.subarray(start, cut ? 30_000 : data.length));
          } else if (cut) {
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
      const headers: Record<string, string> = { "content-length": String(data.length - start) };
      if (start > 0) {
        headers["content-range"] = `bytes ${start}-${data.length - 1}/${data.length}`;
      }
      return new HttpResponse(body, { status: start > 0 ? 206 : 200, headers });
    }),
  );
  const file = join(temp.dir, "down-fetch.vma");
  const result = await testClient({ fetch: (request) => fetch(request) }).images.download(IMAGE, { file });
  expect(ranges).toEqual([null, "bytes=30000-"]);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(sha(await readFile(file))).toBe(sha(data));
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
  downloads.serve({ data: bytes(10), error: { status: 404, message: "no such image" } });
  const file = join(temp.dir, "failed.vma");
  await expect(downloadClient().images.download(IMAGE, { file })).rejects.toThrow("no such image");
  await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
  const events: string[] = [];
  const stream = new WritableStream<Uint8Array>({
    close: () => void events.push("close"),
    abort: () => void events.push("abort"),
  });
  await expect(downloadClient().images.download(IMAGE, { stream })).rejects.toThrow("no such image");
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
    () => scp.images.upload(IMAGE, { file: join(temp.dir, "missing.vma") }),
    () => scp.images.upload(IMAGE, { file: temp.dir }),
    () => scp.images.upload(IMAGE, { stream: stream() }, { signal: "stop" as unknown as AbortSignal }),
    () => scp.images.upload(IMAGE, { stream: stream() }, { timeoutMs: Number.POSITIVE_INFINITY }),
    () => scp.images.download(IMAGE, { file: join(temp.dir, "no-such-dir", "x.vma") }),
    () => scp.images.download(IMAGE, { file: temp.dir }),
    () => scp.images.download(IMAGE, { file: join(temp.dir, "d.vma") }, { clientToken: "a b" }),
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

test("a download to a stream target writes every byte and closes it", async () => {
  const data = bytes(150_000);
  downloads.serve({ data, cutFirstAt: 70_000 });
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk) });
  const result = await downloadClient().images.download(IMAGE, { stream });
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
  expect(sha(Buffer.concat(chunks))).toBe(sha(data));
});
