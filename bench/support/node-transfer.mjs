// The same transfer done by Node alone, without the SDK: undici's request on an agent that trusts the simulator,
// to or from a file, the download with its SHA-256. What Node itself costs for the work, beside curl and the SDK.
// Input: one JSON argument {op: "download" | "upload", url, caFile, token, file}. Output: one JSON line
// {seconds, bytes, cpuMs, peakRss, startRss}, measured as transfer-client.ts measures the SDK.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent } from "undici";

const MIB = 1024 * 1024;
const job = JSON.parse(process.argv[2] ?? "{}");
const agent = new Agent({ connect: { ca: readFileSync(job.caFile, "utf8") } });
const url = new URL(job.url);
const headers = { authorization: `Token ${job.token}` };

async function download() {
  const hash = createHash("sha256");
  let bytes = 0;
  // The SDK's buffer sizes: 1 MiB read ahead from the socket, 2 MiB written ahead to the file.
  const answer = await agent.request({
    origin: url.origin,
    path: url.pathname,
    method: "GET",
    headers,
    highWaterMark: MIB,
  });
  const tap = new Transform({
    highWaterMark: MIB,
    transform(chunk, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(answer.body, tap, createWriteStream(job.file, { highWaterMark: 2 * MIB }));
  hash.digest("hex");
  return bytes;
}

async function upload() {
  const size = statSync(job.file).size;
  const answer = await agent.request({
    origin: url.origin,
    path: url.pathname,
    method: "PUT",
    headers: { ...headers, "content-type": "application/octet-stream", "content-length": String(size) },
    body: createReadStream(job.file, { highWaterMark: MIB }),
  });
  await answer.body.text();
  if (answer.statusCode !== 200) {
    throw new Error(`upload answered ${answer.statusCode}`);
  }
  return size;
}

const startRss = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const started = performance.now();
const bytes = job.op === "download" ? await download() : await upload();
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const peakKib = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
const peakRss = Number(peakKib ?? 0) * 1024;
process.stdout.write(
  `${JSON.stringify({ seconds, bytes, cpuMs: (used.user + used.system) / 1000, peakRss, startRss })}\n`,
);
await agent.close();
