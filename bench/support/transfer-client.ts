// One transfer by the SDK in a process of its own, as an application would run it: ../transfers.ts bundles this
// file with esbuild (the SDK from src/, its dependencies from node_modules) and runs it with plain node, so the
// peak RSS it reports (the kernel's VmHWM) is the SDK's and not a TypeScript loader's.
// Input: one JSON argument (see `Job`). Output: one JSON line (see `Outcome`).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { hashFile } from "../../src/hash-file.js";
import { createScpClient } from "../../src/index.js";
import type { ScpSimulatorCredentials } from "../../src/simulator/index.js";

/** What to do. */
export interface Job {
  op: "download" | "upload" | "hash" | "read" | "sha";
  url: string;
  ca: string;
  auth: "token" | "signature";
  credentials: ScpSimulatorCredentials;
  imageId: string;
  file: string;
  /** For an upload with signature auth: the hash the caller already knows (skips the pre-pass). */
  sha256?: string;
}

/** What happened. */
export interface Outcome {
  seconds: number;
  bytes: number;
  /** Peak RSS of the whole process (VmHWM), bytes. */
  peakRss: number;
  /** RSS right before the transfer, bytes. */
  startRss: number;
  /** Peak RSS before the transfer started (start-up and login), bytes. */
  startPeakRss: number;
  /** CPU time of the process during the transfer, ms. */
  cpuMs: number;
  sha256?: string;
  resumes?: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;

function peakRss(): number {
  const kib = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  return kib === undefined ? process.memoryUsage().rss : Number(kib) * 1024;
}

function client() {
  const { credentials } = job;
  return createScpClient({
    baseUrl: job.url,
    auth:
      job.auth === "token"
        ? { type: "token", username: credentials.username, password: credentials.password }
        : { type: "signature", accessKey: credentials.accessKey, secretKey: credentials.secretKey },
    tls: { ca: job.ca },
  });
}

/** Reads the file in 1 MiB pieces and throws them away: how fast the bytes come off the disk (or cache). */
async function readOnly(): Promise<number> {
  const handle = await open(job.file, "r");
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let total = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) {
      break;
    }
    total += bytesRead;
  }
  await handle.close();
  return total;
}

async function fileBytes(): Promise<number> {
  const handle = await open(job.file, "r");
  const { size } = await handle.stat();
  await handle.close();
  return size;
}

type Timed = () => Promise<Omit<Outcome, "seconds" | "peakRss" | "startRss" | "startPeakRss" | "cpuMs">>;

/** Makes what the job needs ready (a client logged in, as a long-running application has it) and returns the
 * part to time. */
async function prepare(): Promise<Timed> {
  if (job.op === "read") {
    return async () => ({ bytes: await readOnly() });
  }
  if (job.op === "sha") {
    // SHA-256 alone: the file's size in bytes hashed from one 1 MiB buffer that stays in the CPU's cache.
    const size = await fileBytes();
    const buffer = Buffer.alloc(1024 * 1024, 7);
    return async () => {
      const hash = createHash("sha256");
      for (let done = 0; done < size; done += buffer.length) {
        hash.update(buffer.subarray(0, Math.min(buffer.length, size - done)));
      }
      return { bytes: size, sha256: hash.digest("hex") };
    };
  }
  if (job.op === "hash") {
    return async () => ({ sha256: await hashFile(job.file), bytes: await fileBytes() });
  }
  const scp = client();
  await scp.projects.getAdministratorId();
  if (job.op === "download") {
    return async () => {
      const result = await scp.images.download(job.imageId, { file: job.file });
      return { bytes: result.sizeBytes, sha256: result.sha256, resumes: result.resumes };
    };
  }
  return async () => {
    await scp.images.upload(job.imageId, { file: job.file, ...(job.sha256 ? { sha256: job.sha256 } : {}) });
    return { bytes: await fileBytes() };
  };
}

const timed = await prepare();
const startRss = process.memoryUsage().rss;
const startPeakRss = peakRss();
const cpu = process.cpuUsage();
const started = performance.now();
const result = await timed();
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const outcome: Outcome = {
  ...result,
  seconds,
  peakRss: peakRss(),
  startRss,
  startPeakRss,
  cpuMs: (used.user + used.system) / 1000,
};
process.stdout.write(`${JSON.stringify(outcome)}\n`);
