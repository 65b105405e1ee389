// Image downloads and uploads go on a connection of the SDK's own (HTTP/1.1 straight off the socket), unless a
// proxy, a dispatcher or a fetch of the caller's own is in play. What it must get right: the ways a server delimits
// a body, interim answers, malformed ones, TLS, proxies, every byte handed on before an error, an upload's body
// whole and in order although its buffers are reused, and an answer that comes before the body is sent.
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import {
  createScpClient,
  ScpApiError,
  type ScpClientOptions,
  ScpNetworkError,
  ScpResponseError,
  ScpTimeoutError,
} from "../../src/index.js";
import {
  generateSelfSignedCertificate,
  type ScpSimulatorServer,
  startScpSimulator,
} from "../../src/simulator/index.js";
import { testClient } from "../support/client.js";
import { startConnectProxy } from "../support/connect-proxy.js";
import { useLoopback } from "../support/loopback.js";
import { useTempDir } from "../support/temp-dir.js";

const IMAGE = "0b8c6c4e-0000-4000-8000-00000000bbbb";
const temp = useTempDir("scp-download-connection-");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + (i >> 9)) % 251));

/** A raw TCP server whose answers are scripted byte for byte: each answer is a list of writes, then an end (or
 * not, after HOLD). */
const HOLD = "<hold the connection open>";
let answer: (request: string) => (Buffer | string)[] = () => [];
const requests: string[] = [];
const sockets = new Set<Socket>();
const raw = createServer((socket) => {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
  let head = "";
  socket.on("data", async (data) => {
    head += data.toString("latin1");
    if (!head.includes("\r\n\r\n")) {
      return;
    }
    requests.push(head);
    for (const part of answer(head)) {
      if (part === HOLD) {
        return;
      }
      socket.write(part);
      // Each write its own TCP segment as far as possible, so the client sees the awkward splits.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    socket.end();
  });
  socket.on("error", () => undefined);
});
let rawUrl = "";
let closeRaw: () => Promise<void>;
let sim: ScpSimulatorServer;

/** Listens on a free loopback port: the server's URL, and a way to close it. */
async function listening(server: Server, scheme: "http" | "https") {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

beforeAll(async () => {
  ({ url: rawUrl, close: closeRaw } = await listening(raw, "http"));
  sim = await startScpSimulator({ taskDurationMs: 0, serverCount: 3, vmaSizeBytes: 5 * 1024 * 1024 + 123 });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  for (const socket of sockets) {
    socket.destroy();
  }
  await closeRaw();
  await proxy.close();
  await sim.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  requests.length = 0;
  proxy.tunnels.length = 0;
});

/**
 * A client of a plain-HTTP test server whose transfers go on the SDK's own connection: `tls` makes it use an agent
 * of its own rather than the global dispatcher, which msw's import has already set in this process (and which the
 * SDK never goes around).
 */
const ownClient = (baseUrl: string, overrides: Partial<ScpClientOptions> = {}) =>
  testClient({ baseUrl, tls: {}, ...overrides });

const download = (options: { maxResumes?: number; onProgress?: (done: number, total?: number) => void } = {}) =>
  ownClient(rawUrl).images.download(IMAGE, { file: join(temp.dir, "raw.vma") }, options);

/** Splits `data` into pieces of the given sizes (the last takes the rest). */
function pieces(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(data.subarray(at, at + size));
    at += size;
  }
  out.push(data.subarray(at));
  return out.filter((p) => p.length > 0);
}

test("a chunked body, split at every awkward place, with extensions and trailers, arrives whole", async () => {
  const data = bytes(300_000);
  const encoded = Buffer.concat([
    Buffer.from("1;name=value\r\n"),
    data.subarray(0, 1),
    Buffer.from("\r\n"),
    Buffer.from(`${(200_000).toString(16)}\r\n`),
    data.subarray(1, 200_001),
    Buffer.from("\r\n"),
    Buffer.from(`${(data.length - 200_001).toString(16).toUpperCase()}\r\n`),
    data.subarray(200_001),
    Buffer.from("\r\n0\r\nx-trailer: yes\r\n\r\n"),
  ]);
  answer = () => [
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/octet-stream\r\n\r\n",
    // Splits inside a size line, between CR and LF, inside data and inside the trailer.
    ...pieces(encoded, [1, 13, 1, 2, 70_000, 3, 140_000, 1, 89_990, 2, 5, 9]),
  ];
  const result = await download();
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
  expect(sha(await readFile(join(temp.dir, "raw.vma")))).toBe(sha(data));
});

test("interim answers are skipped, and a body without a length ends with the connection", async () => {
  const data = bytes(100_000);
  answer = () => [
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n",
    "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n",
    ...pieces(data, [10, 50_000]),
  ];
  await expect(download()).resolves.toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
});

test("the request carries the layers' headers (signed, with its id) and asks for one connection", async () => {
  answer = () => ["HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc"];
  await download();
  const head = requests[0] ?? "";
  expect(head.startsWith(`GET /janus/20240725/images/${IMAGE}/download HTTP/1.1\r\n`)).toBe(true);
  expect(head).toContain(`host: ${new URL(rawUrl).host}\r\n`);
  expect(head).toMatch(/\r\nx-request-id: \S+\r\n/);
  expect(head).toMatch(/\r\nauthorization: \S/);
  expect(head).toContain("\r\nconnection: close\r\n");
  // The bytes as stored: Range offsets and the SHA-256 refer to them.
  expect(head).toContain("\r\naccept-encoding: identity\r\n");
});

test("a head ended by bare newlines, and a repeated Content-Length that agrees, are read", async () => {
  answer = () => ["HTTP/1.1 200 OK\ncontent-length: 3\ncontent-length: 3\n\nabc"];
  await expect(download()).resolves.toMatchObject({ sizeBytes: 3, sha256: sha(Buffer.from("abc")) });
});

test("a status no HTTP answer has, or Content-Lengths that disagree, fail the call instead of hanging it", async () => {
  answer = () => ["HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n"];
  await expect(download({ maxResumes: 0 })).rejects.toThrow("not an HTTP/1.1 status line");
  answer = () => ["HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd"];
  await expect(download({ maxResumes: 0 })).rejects.toThrow("invalid Content-Length");
});

test("a client without tls takes its own connection for transfers once undici's default global is in place", async () => {
  const slot = Symbol.for("undici.globalDispatcher.1");
  const previous = (globalThis as Record<symbol, unknown>)[slot];
  // As in a process where nothing set a global dispatcher before the SDK's first request (undici defines the slot
  // for good once loaded: it can be emptied, not removed).
  (globalThis as Record<symbol, unknown>)[slot] = undefined;
  try {
    answer = (request) =>
      request.startsWith("GET /janus/20180725/platform")
        ? [
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 33\r\n\r\n{"code":0,"message":"","data":{}}',
          ]
        : ["HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc"];
    const scp = testClient({ baseUrl: rawUrl });
    await scp.system.platform();
    await scp.images.download(IMAGE, { file: join(temp.dir, "no-tls.vma") });
    expect(requests).toHaveLength(2);
    expect(requests[1]).toContain("\r\nconnection: close\r\n");
  } finally {
    (globalThis as Record<symbol, unknown>)[slot] = previous;
  }
});

test("a malformed answer fails the download like a cut one: resumed, then reported, and the file removed", async () => {
  const data = bytes(1000);
  answer = (request) =>
    request.includes("range:")
      ? [
          "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 600-999/1000\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        ]
      : ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "3e8\r\n", data.subarray(0, 600)];
  const error = await download({ maxResumes: 1 }).catch((e) => e);
  expect(error).toBeInstanceOf(Error);
  expect(String(error.message)).toMatch(/chunk size|closed before/);
  expect(requests).toHaveLength(2);
  // The first answer's 600 bytes reached the file before the cut, so the resume asked for the rest.
  expect(requests[1]).toContain("range: bytes=600-");
  await expect(stat(join(temp.dir, "raw.vma"))).rejects.toMatchObject({ code: "ENOENT" });
});

test("a resume answered from before its offset keeps what it has and skips the repeated bytes", async () => {
  const data = bytes(1000);
  answer = (request) =>
    request.includes("range:")
      ? [`HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 0-999/1000\r\ncontent-length: 1000\r\n\r\n`, data]
      : ["HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n", data.subarray(0, 600)];
  await expect(download()).resolves.toEqual({ sizeBytes: 1000, sha256: sha(data), resumes: 1 });
  expect(requests[1]).toContain("range: bytes=600-");
  expect((await readFile(join(temp.dir, "raw.vma"))).equals(data)).toBe(true);
});

/** A download of 1000 bytes cut at 600, resumed with `resumed`: it must fail at once, and leave no file. */
async function resumeRefused(resumed: (Buffer | string)[], message: string, firstHeaders = ""): Promise<void> {
  requests.length = 0;
  const first = `HTTP/1.1 200 OK\r\n${firstHeaders}content-length: 1000\r\n\r\n`;
  answer = (request) => (request.includes("range:") ? resumed : [first, bytes(600)]);
  const error = await download().catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(String(error.message)).toContain(message);
  // The cut answer, then one resume: asked again, the server would answer the same.
  expect(requests).toHaveLength(2);
  await expect(stat(join(temp.dir, "raw.vma"))).rejects.toMatchObject({ code: "ENOENT" });
}

test("a resume answered from elsewhere than 0 or its offset fails at once, without asking the same again", async () => {
  for (const start of [800, 300]) {
    const head = `HTTP/1.1 206 Partial Content\r\ncontent-range: bytes ${start}-999/1000\r\ncontent-length: ${1000 - start}`;
    await resumeRefused([`${head}\r\n\r\n`, bytes(1000).subarray(start)], "expected start 600 (or 0)");
  }
  const unplaced = "HTTP/1.1 206 Partial Content\r\ncontent-length: 400\r\n\r\n";
  await resumeRefused([unplaced, bytes(1000).subarray(600)], "a 206 must say where its bytes start");
});

test("a 206 of another ETag than the first answer's fails at once: a server that ignored If-Range", async () => {
  const head = 'HTTP/1.1 206 Partial Content\r\netag: "v2"\r\ncontent-range: bytes 600-999/1000\r\ncontent-length: 400';
  const message = `the image's ETag is "v2" in this answer, "v1" in an earlier one`;
  await resumeRefused([`${head}\r\n\r\n`, bytes(1000).subarray(600)], message, 'etag: "v1"\r\n');
  expect(requests[1]).toContain('if-range: "v1"');
});

test("a resume of unknown length that runs past the image's known size fails at once", async () => {
  // The same first 600 bytes (so the repeat checks out), then 600 more than the image has.
  const chunked = ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4b0\r\n", bytes(1200), "\r\n0\r\n\r\n"];
  await resumeRefused(chunked, "the answer runs past the image's 1000 bytes");
});

test("a body of unknown length cut after its last byte: a 416 to the resume that says so completes it", async () => {
  const data = bytes(1000);
  answer = (request) =>
    request.includes("range:")
      ? ["HTTP/1.1 416 Range Not Satisfiable\r\ncontent-range: bytes */1000\r\ncontent-length: 0\r\n\r\n"]
      : ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3e8\r\n", data, "\r\n"];
  const progress: [number, number | undefined][] = [];
  const onProgress = (done: number, total?: number) => void progress.push([done, total]);
  await expect(download({ onProgress })).resolves.toEqual({ sizeBytes: 1000, sha256: sha(data), resumes: 1 });
  expect(requests[1]).toContain("range: bytes=1000-");
  expect((await readFile(join(temp.dir, "raw.vma"))).equals(data)).toBe(true);
  // The total, unknown until then, is reported once known.
  expect(progress.at(-1)).toEqual([1000, 1000]);
  // A 416 that gives another end is the server's refusal, as before.
  answer = (request) =>
    request.includes("range:")
      ? ["HTTP/1.1 416 Range Not Satisfiable\r\ncontent-range: bytes */900\r\ncontent-length: 0\r\n\r\n"]
      : ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3e8\r\n", data, "\r\n"];
  await expect(download()).rejects.toMatchObject({ status: 416 });
  // So is one to a download whose size was given: a 416 at byte 500 of 1000 is not an end.
  answer = (request) =>
    request.includes("range:")
      ? ["HTTP/1.1 416 Range Not Satisfiable\r\ncontent-range: bytes */500\r\ncontent-length: 0\r\n\r\n"]
      : ["HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n", data.subarray(0, 500)];
  await expect(download()).rejects.toMatchObject({ status: 416 });
});

test("over TLS, records decrypted after a malformed one do not overwrite the bytes handed on before it", async () => {
  // The socket decrypts into the chunks the reader gets. A TLS socket goes on decrypting records it holds after the
  // body fails (at the bad size line below), so those must go elsewhere: else a reader still busy with earlier
  // chunks (a slow stream) takes bytes that are not the server's, and the resume reports the SHA-256 of those.
  const { cert, key } = generateSelfSignedCertificate();
  const first = bytes(2 * 256 * 1024 + 10_000);
  const rest = bytes(4096).reverse();
  const server = createTlsServer({ cert, key }, (socket) => {
    socket.once("data", (data) => {
      if (data.toString("latin1").includes(`range: bytes=${first.length}-`)) {
        const whole = first.length + rest.length;
        const range = `content-range: bytes ${first.length}-${whole - 1}/${whole}\r\ncontent-length: ${rest.length}`;
        socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\n${range}\r\n\r\n`), rest]));
        return;
      }
      socket.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${first.length.toString(16)}\r\n`);
      socket.write(first.subarray(0, -100));
      // The body's last bytes, a bad size line and more records, in one write the client reads in one go.
      const tail = [first.subarray(-100), Buffer.from("\r\nzz\r\n"), Buffer.alloc(50_000, 0x42)];
      setTimeout(() => socket.write(Buffer.concat(tail)), 100);
    });
    socket.on("error", () => undefined);
  });
  const { url, close } = await listening(server, "https");
  try {
    const received: Buffer[] = [];
    // A slow target: the reader waits on it while the body fails, the last chunk still queued.
    const stream = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        received.push(Buffer.from(chunk));
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    });
    const scp = testClient({ baseUrl: url, tls: { ca: cert } });
    const result = await scp.images.download(IMAGE, { stream }, { maxResumes: 1 });
    const whole = Buffer.concat([first, rest]);
    expect(sha(Buffer.concat(received))).toBe(sha(whole));
    expect(result).toEqual({ sizeBytes: whole.length, sha256: sha(whole), resumes: 1 });
  } finally {
    await close();
  }
});

test("an error status is read as SCP's envelope, not written to the file", async () => {
  const body = JSON.stringify({ errcode: "400", message: "image is not exported", data: {} });
  answer = () => [
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  ];
  await expect(download()).rejects.toThrow("image is not exported");
  expect(requests).toHaveLength(1);
});

/** An exported VMA on the HTTPS simulator, and its bytes' SHA-256 as a plain GET sees them. */
async function exported(scp: ReturnType<typeof simClient>): Promise<string> {
  const name = `conn-${Math.random().toString(36).slice(2)}`;
  await scp.tasks.wait(
    await scp.images.createFromServer({
      server_id: sim.goldenServerId,
      name,
      os_type: "l2664",
      azs: [sim.poolIds[0] as string],
    }),
  );
  const [image] = await scp.images.findByName(name);
  await scp.tasks.wait(await scp.images.export(image?.id as string));
  return image?.id as string;
}

/** A client of the HTTPS simulator that trusts its CA (`trusted: false`: one that does not). */
function simClient(overrides: Partial<ScpClientOptions> = {}, trusted = true) {
  return createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    ...(trusted ? { tls: { ca: sim.ca } } : {}),
    ...overrides,
  });
}

test("over TLS, by IP and by name, many chunks long, every byte lands in order (chunks are reused)", async () => {
  const scp = simClient();
  const id = await exported(scp);
  const first = await scp.images.download(id, { file: join(temp.dir, "ip.vma") });
  expect(first.sizeBytes).toBe(5 * 1024 * 1024 + 123);
  expect(sha(await readFile(join(temp.dir, "ip.vma")))).toBe(first.sha256);
  const byName = simClient({ baseUrl: sim.url.replace("127.0.0.1", "localhost") });
  const second = await byName.images.download(id, { file: join(temp.dir, "name.vma") });
  expect(second).toEqual(first);
});

test("a certificate the client does not trust fails the download as a TLS failure", async () => {
  const id = await exported(simClient());
  const untrusted = simClient({ retry: false }, false);
  const error = await untrusted.images
    .download(id, { file: join(temp.dir, "x.vma") }, { maxResumes: 0 })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(error.outcome).toBe("not-sent");
  expect(error.code).toMatch(/CERT|SELF_SIGNED/);
});

test("with a proxy, explicit or from the environment, downloads go through it", async () => {
  const id = await exported(simClient());
  const target = new URL(sim.url).host;
  const explicit = await simClient({ proxy: proxy.url }).images.download(id, { file: join(temp.dir, "p1.vma") });
  expect(proxy.tunnels).toContain(target);
  proxy.tunnels.length = 0;
  vi.stubEnv("HTTPS_PROXY", proxy.url);
  const fromEnv = await simClient().images.download(id, { file: join(temp.dir, "p2.vma") });
  expect(proxy.tunnels).toContain(target);
  expect(fromEnv).toEqual(explicit);
});

test("a global dispatcher the caller set (an Agent trusting the simulator's CA) carries transfers", async () => {
  const { Agent, setGlobalDispatcher } = await import("undici");
  const slot = Symbol.for("undici.globalDispatcher.1");
  const previous = (globalThis as Record<symbol, unknown>)[slot];
  const id = await exported(simClient());
  setGlobalDispatcher(new Agent({ connect: { ca: sim.ca } }));
  try {
    // No tls of the client's own: only the global Agent trusts the simulator, so going around it would fail.
    const viaGlobal = await simClient({}, false).images.download(id, { file: join(temp.dir, "global.vma") });
    expect(viaGlobal.sizeBytes).toBe(5 * 1024 * 1024 + 123);
  } finally {
    (globalThis as Record<symbol, unknown>)[slot] = previous;
  }
});

test("a caller's abort mid-body ends the download with the caller's reason and removes the file", async () => {
  // More than one chunk arrives (so progress is reported), then the server goes quiet without closing.
  answer = () => ["HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n", bytes(300_000), HOLD];
  const controller = new AbortController();
  const file = join(temp.dir, "aborted.vma");
  const pending = ownClient(rawUrl).images.download(
    IMAGE,
    { file },
    { signal: controller.signal, onProgress: () => controller.abort(new Error("stop now")) },
  );
  await expect(pending).rejects.toThrow("stop now");
  await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
});

const loopback = useLoopback();

/**
 * A server that reads an upload slowly (the client's socket then holds unsent bytes), then answers its SHA-256; over
 * TLS when given a certificate. After each read it pauses 2 ms, or `pauseMs` of the bytes read.
 */
async function slowReader(
  tls?: { cert: string; key: string },
  pauseMs: (bytes: number) => number = () => 2,
): Promise<{ url: string; close: () => Promise<void> }> {
  const serve = (socket: Socket) => {
    let head = Buffer.alloc(0);
    let left = -1;
    const hash = createHash("sha256");
    socket.on("data", (data: Buffer) => {
      let body = data;
      if (left < 0) {
        head = Buffer.concat([head, data]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        left = Number(/content-length: (\d+)/i.exec(head.subarray(0, end).toString())?.[1]);
        body = head.subarray(end + 4);
      }
      hash.update(body.subarray(0, left));
      left -= Math.min(left, body.length);
      if (left === 0) {
        const json = JSON.stringify({ code: 0, message: "", data: { task_id: hash.digest("hex") } });
        socket.end(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${json.length}\r\n\r\n${json}`,
        );
        return;
      }
      socket.pause();
      setTimeout(() => socket.resume(), pauseMs(data.length));
    });
    socket.on("error", () => undefined);
  };
  return tls ? listening(createTlsServer(tls, serve), "https") : listening(createServer(serve), "http");
}

test("an upload arrives whole and in order, many buffers long, with its declared length", async () => {
  const data = bytes(5 * 1024 * 1024 + 7);
  const file = join(temp.dir, "up.vma");
  await writeFile(file, data);
  loopback.received.length = 0;
  loopback.handler = () => ({ status: 200, json: { code: 0, message: "", data: { task_id: "t-up" } } });
  const ref = await ownClient(loopback.url).images.upload(IMAGE, { file });
  expect(ref).toEqual({ taskId: "t-up" });
  const [received] = loopback.received;
  expect(received?.headers["content-length"]).toBe(String(data.length));
  expect(received?.headers["transfer-encoding"]).toBeUndefined();
  expect(sha(received?.body as Buffer)).toBe(sha(data));
  // Read slowly, the socket waits for 'drain' between buffers: the file is paused and resumed, its buffers come
  // back and are filled again, and every byte still arrives in order.
  const slow = await slowReader();
  try {
    await expect(ownClient(slow.url).images.upload(IMAGE, { file })).resolves.toEqual({
      taskId: sha(data),
    });
  } finally {
    await slow.close();
  }
});

test("over TLS, an upload read slowly arrives whole (a buffer goes back once written), not idle while buffers drain", async () => {
  const data = bytes(6 * 1024 * 1024 + 3);
  const file = join(temp.dir, "up-tls.vma");
  await writeFile(file, data);
  const certificate = generateSelfSignedCertificate();
  // About 1 MiB/s, read steadily.
  const slow = await slowReader(certificate, (n) => n / 1024);
  try {
    // Loopback's socket buffers take most of the file at once, and the server reads the last 4+ MiB for 4+ s after
    // the file's last chunk: only the bytes the kernel holds move, which only Linux lists (elsewhere, a longer limit).
    const client = testClient({ baseUrl: slow.url, tls: { ca: certificate.cert } });
    const idleTimeoutMs = process.platform === "linux" ? 2_000 : 30_000;
    const upload = client.images.upload(IMAGE, { file }, { idleTimeoutMs });
    await expect(upload).resolves.toEqual({ taskId: sha(data) });
  } finally {
    await slow.close();
  }
});

test("an upload the server stops reading fails as idle, although its socket still holds unsent bytes", async () => {
  const file = join(temp.dir, "stalled.vma");
  await writeFile(file, bytes(16 * 1024 * 1024));
  // Reads the head and a little more, then nothing: the socket's buffers fill, and stay full.
  const held: Socket[] = [];
  let head = "";
  const stalled = await listening(
    createServer((socket) => {
      held.push(socket);
      socket.once("data", (first: Buffer) => {
        head = first.toString("latin1");
        socket.pause();
      });
      socket.on("error", () => undefined);
    }),
    "http",
  );
  try {
    const error = await ownClient(stalled.url)
      .images.upload(IMAGE, { file }, { idleTimeoutMs: 300 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ScpTimeoutError);
    expect(error).toMatchObject({ idle: true, timeoutMs: 300, method: "PUT" });
    expect(error.message).toContain("no byte moved for 300 ms");
    // The id the upload was sent with, so the server's logs can be searched for it.
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(head.toLowerCase()).toContain(`x-request-id: ${error.requestId}`);
  } finally {
    for (const socket of held) {
      socket.destroy();
    }
    await stalled.close();
  }
});

test("an upload asked to come back later (503, Retry-After) waits for it without taking the wait for idle", async () => {
  const data = bytes(1024 * 1024 + 5);
  const file = join(temp.dir, "later.vma");
  await writeFile(file, data);
  loopback.received.length = 0;
  loopback.handler = () =>
    loopback.received.length === 1
      ? { status: 503, json: { code: 503, message: "busy" }, headers: { "retry-after": "1" } }
      : { status: 200, json: { code: 0, message: "", data: { task_id: "t-later" } } };
  // The wait (1 s) is longer than the idle limit: only the attempts are watched.
  const ref = await ownClient(loopback.url).images.upload(IMAGE, { file }, { idleTimeoutMs: 300 });
  expect(ref).toEqual({ taskId: "t-later" });
  expect(loopback.received.map((r) => sha(r.body))).toEqual([sha(data), sha(data)]);
});

test("a download asked to come back later waits for it as asked, not as a stall it would resume from", async () => {
  const data = bytes(3000);
  const busy = JSON.stringify({ code: 503, message: "busy" });
  answer = () =>
    requests.length === 1
      ? [`HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: ${busy.length}\r\n\r\n${busy}`]
      : [`HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`, data];
  // Counted as idle, the 1 s wait would end in a resume (a new request at once) instead of the retry it asked for.
  const result = await ownClient(rawUrl).images.download(
    IMAGE,
    { file: join(temp.dir, "raw.vma") },
    { idleTimeoutMs: 300 },
  );
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
  expect(requests).toHaveLength(2);
});

test("a server that answers before the body is sent has its answer reported, not a broken pipe", async () => {
  const file = join(temp.dir, "refused.vma");
  await writeFile(file, bytes(8 * 1024 * 1024));
  const body = JSON.stringify({ code: 413, message: "image too large for the pool", data: {} });
  answer = () => [
    `HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  ];
  const error = await ownClient(rawUrl)
    .images.upload(IMAGE, { file })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpApiError);
  expect(error).toMatchObject({ status: 413 });
  expect(error.message).toContain("image too large for the pool");
});

test("a file that grows while it is sent fails the upload instead of sending more than it declared", async () => {
  const file = join(temp.dir, "growing.vma");
  await writeFile(file, bytes(3 * 1024 * 1024));
  loopback.handler = () => ({ status: 200, json: { code: 0, message: "", data: { task_id: "t-up" } } });
  let grown = false;
  const error = await ownClient(loopback.url, { retry: false })
    .images.upload(
      IMAGE,
      { file },
      {
        onProgress: () => {
          if (!grown) {
            grown = true;
            // At once, before the next read: the file is longer than declared from the second chunk on.
            appendFileSync(file, bytes(2 * 1024 * 1024));
          }
        },
      },
    )
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(error.message).toContain("size changed while it was sent");
});
