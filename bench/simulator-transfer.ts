// Memory while moving 1 GiB each way through the HTTPS simulator: a streamed upload (raw fetch, duplex "half")
// and a download of an exported 1 GiB VMA. The simulator runs in a child process so its RSS is measured apart
// from the client's; both are sampled every 100 ms. Run: npx tsx bench/simulator-transfer.ts [sizeMiB]
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, request } from "undici";
import type { ScpSimulatorCredentials } from "../src/simulator/index.js";
import { amzDate, signatureHeaders } from "../test/simulator/support.js";

const MIB = 1024 * 1024;
const sizeBytes = Number(process.argv[2] ?? 1024) * MIB;
const EMPTY_SHA256 = createHash("sha256").digest("hex");

interface Ready {
  url: string;
  ca: string;
  credentials: ScpSimulatorCredentials;
  poolIds: string[];
  goldenServerId: string;
  rss: number;
}

function clientSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    take: () => {
      const value = Math.max(peak, process.memoryUsage().rss);
      peak = process.memoryUsage().rss;
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

function serverPeak(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("message", (m: { rss: number }) => resolve(m.rss));
    child.send({ type: "peak", reset: true });
  });
}

/** Writes `size` bytes and returns their SHA-256 (the pre-pass a signed upload needs). */
async function makeFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  async function* chunks() {
    for (let written = 0; written < size; written += MIB) {
      // A fresh buffer per chunk: the file stream may still hold the previous one.
      const chunk = Buffer.alloc(MIB, (written / MIB) % 251);
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
  return hash.digest("hex");
}

function client(ready: Ready, dispatcher: Agent) {
  return (
    method: string,
    path: string,
    init: { body?: unknown; sha256?: string; json?: object; headers?: Record<string, string> } = {},
  ) => {
    const text = init.json ? JSON.stringify(init.json) : undefined;
    const headers = signatureHeaders({
      method,
      // The query string is never signed.
      path: new URL(path, ready.url).pathname,
      headers: { ...(text ? { "content-type": "application/json" } : {}), ...init.headers },
      bodySha256: text ? createHash("sha256").update(text).digest("hex") : (init.sha256 ?? EMPTY_SHA256),
      credentials: ready.credentials,
      amzDate: amzDate(Date.now()),
    });
    const body = text ?? init.body;
    return fetch(`${ready.url}${path}`, { method, headers, body, duplex: "half", dispatcher } as RequestInit);
  };
}

async function run(child: ChildProcess, ready: Ready, dir: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: ready.ca } });
  const send = client(ready, dispatcher);
  const sampler = clientSampler();
  const file = join(dir, "upload.img");
  const sha256 = await makeFile(file, sizeBytes);
  const created = await (
    await send("POST", "/janus/20180725/images", {
      json: { azs: ready.poolIds, disk_format: "aCloud", image_type: "private" },
    })
  ).json();
  await serverPeak(child);
  sampler.take();
  const start = performance.now();
  const body = Readable.toWeb(createReadStream(file));
  const upload = await send("PUT", `/janus/20180725/images/${created.data.id}/upload`, {
    body,
    sha256,
    headers: { "content-type": "application/octet-stream" },
  });
  const up = { seconds: (performance.now() - start) / 1000, server: await serverPeak(child), client: sampler.take() };
  if (upload.status !== 200) {
    throw new Error(`upload failed: ${upload.status} ${await upload.text()}`);
  }
  const viaRequest = await uploadWithRequest(ready, dispatcher, file, sha256);
  await rm(file);
  const down = await downloadLeg(send, ready, () => serverPeak(child), sampler.take);
  sampler.stop();
  await dispatcher.close();
  report(ready, { up, viaRequest, down });
}

/** Makes a VMA of `sizeBytes` from the golden VM, exports it and downloads it, counting the bytes. */
async function downloadLeg(
  send: ReturnType<typeof client>,
  ready: Ready,
  serverRss: () => Promise<number>,
  clientRss: () => number,
): Promise<Leg> {
  await send("POST", "/janus/20180725/images/action", {
    json: { server_id: ready.goldenServerId, name: "bench-vma", os_type: "l2664", azs: [ready.poolIds[0]] },
  });
  const images = await (await send("GET", "/janus/20200725/images?name=bench-vma")).json();
  const vmaId = images.data.data[0].id as string;
  await send("POST", `/janus/20240725/images/${vmaId}/export`);
  const start = performance.now();
  const download = await send("GET", `/janus/20240725/images/${vmaId}/download`);
  let received = 0;
  for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
  }
  if (received !== sizeBytes) {
    throw new Error(`download returned ${received} bytes, expected ${sizeBytes}`);
  }
  return { seconds: (performance.now() - start) / 1000, server: await serverRss(), client: clientRss() };
}

/** The same upload through undici.request (not fetch), for comparison: its client side streams in flat memory. */
async function uploadWithRequest(ready: Ready, dispatcher: Agent, file: string, sha256: string) {
  const send = client(ready, dispatcher);
  const created = await (
    await send("POST", "/janus/20180725/images", {
      json: { azs: ready.poolIds, disk_format: "aCloud", image_type: "private" },
    })
  ).json();
  const path = `/janus/20180725/images/${created.data.id}/upload`;
  const headers = signatureHeaders({
    method: "PUT",
    path,
    headers: { "content-type": "application/octet-stream" },
    bodySha256: sha256,
    credentials: ready.credentials,
    amzDate: amzDate(Date.now()),
  });
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const start = performance.now();
  const response = await request(`${ready.url}${path}`, {
    method: "PUT",
    headers,
    body: createReadStream(file),
    dispatcher,
  });
  await response.body.text();
  clearInterval(timer);
  if (response.statusCode !== 200) {
    throw new Error(`upload (undici.request) failed: ${response.statusCode}`);
  }
  return {
    seconds: (performance.now() - start) / 1000,
    clientGrowth: Math.max(peak, process.memoryUsage().rss) - before,
  };
}

interface Leg {
  seconds: number;
  server: number;
  client: number;
}

function report(
  ready: Ready,
  legs: { up: Leg; viaRequest: { seconds: number; clientGrowth: number }; down: Leg },
): void {
  const { up, viaRequest, down } = legs;
  const mib = sizeBytes / MIB;
  const m = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  const rate = (seconds: number) => `${(mib / seconds).toFixed(0)} MiB/s`;
  console.log(`size: ${mib} MiB each way, ${process.version}; simulator RSS at start ${m(ready.rss)}`);
  console.log(
    `upload   (fetch, duplex "half"): ${rate(up.seconds)}; peak RSS simulator ${m(up.server)}, client ${m(up.client)}`,
  );
  console.log(
    `upload   (undici.request):       ${rate(viaRequest.seconds)}; client RSS growth ${m(viaRequest.clientGrowth)}`,
  );
  console.log(
    `download (exported VMA, fetch):  ${rate(down.seconds)}; peak RSS simulator ${m(down.server)}, client ${m(down.client)}`,
  );
  console.log("(client RSS does not shrink after the fetch upload, so its download peak starts from there)");
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "scp-sim-bench-"));
  const env = { ...process.env, SCP_SIM_VMA_BYTES: String(sizeBytes), SCP_SIM_DATA_DIR: dir };
  const child = fork(new URL("./simulator-child.ts", import.meta.url), [], { execArgv: ["--import", "tsx"], env });
  try {
    const ready = await new Promise<Ready>((resolve) => child.once("message", (m: Ready) => resolve(m)));
    await run(child, ready, dir);
  } finally {
    child.send({ type: "stop" });
    await new Promise((resolve) => child.once("exit", resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
