// Issue 10, item 3: image transfers against curl on the same URL of the same HTTPS simulator (its own process).
// Download to a file with the running SHA-256 vs `curl -o`; upload vs `curl -T` (token auth both), each beside
// the same transfer by Node alone, and the download beside curl doing its whole work; the signature
// upload's hash pre-pass against plain reads of the file; the client's peak RSS at 1 GiB and 4 GiB; a download a
// relay cuts at 50%, resumed. The SDK runs in a process of its own (see transfer-client.ts), as curl does.
// Run: npx tsx bench/transfers.ts [--quick] [--runs N] [--out FILE]
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScpClient } from "../src/index.js";
import { bundleClient } from "./support/client-process.js";
import { startDropProxy } from "./support/drop-proxy.js";
import { benchArgs, type Figure, figure, goal, median, report } from "./support/figures.js";
import { startSimProcess } from "./support/sim-process.js";
import type { Outcome } from "./support/transfer-client.js";
import { downloads, type Env, exportedVma, hashPrePass, sdk, sdkUpload, uploads } from "./support/transfer-legs.js";

const MIB = 1024 * 1024;
const args = benchArgs("transfers");
const RUNS = args.runs ?? (args.quick ? 1 : 5);
const SIZE = (args.quick ? 16 : 1024) * MIB;
const LARGE = (args.quick ? 32 : 4096) * MIB;
const RSS_LIMIT_MIB = 128;
const figures: Figure[] = [];

async function setUp(dir: string, vmaBytes: number): Promise<Env> {
  const sim = await startSimProcess({
    vmaSizeBytes: vmaBytes,
    dataDir: join(dir, "sim"),
    serverCount: 10,
    taskDurationMs: 0,
  });
  const scp = createScpClient({
    baseUrl: sim.url,
    auth: { type: "token", username: sim.credentials.username, password: sim.credentials.password },
    tls: { ca: sim.ca },
  });
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, sim.ca);
  return { sim, scp, dir, caFile };
}

/** Writes `bytes` of varied content (no two MiB alike, so nothing on the way can compress or dedupe it). */
async function makeFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let at = 0; at < bytes; at += MIB) {
    const chunk = Buffer.alloc(MIB, at / MIB);
    chunk.writeUInt32BE(at / MIB);
    if (!out.write(chunk)) {
      await once(out, "drain");
    }
  }
  out.end();
  await once(out, "finish");
}

/** Peak RSS figures: the 1 GiB runs' median against one transfer of 4 GiB, each way. */
function memory(kind: string, small: Outcome[], large: Outcome): Figure[] {
  const peak = median(small.map((o) => o.peakRss)) / MIB;
  const start = median(small.map((o) => o.startRss)) / MIB;
  const mib = (b: number) => `${b / MIB} MiB`;
  return [
    figure(
      `client peak RSS, ${kind} ${mib(SIZE)}`,
      small.map((o) => o.peakRss / MIB),
      "MiB",
      goal.atMost(RSS_LIMIT_MIB),
      {
        note: `RSS before the transfer ${start.toFixed(0)} MiB`,
      },
    ),
    figure(`client peak RSS, ${kind} ${mib(LARGE)}`, large.peakRss / MIB, "MiB", goal.atMost(RSS_LIMIT_MIB)),
    figure(`client peak RSS, ${kind} ${mib(LARGE)} / ${mib(SIZE)}`, large.peakRss / MIB / peak, "×", goal.atMost(1.1)),
  ];
}

/** A download the relay cuts after half the file: it must resume and move at most 1.1× the file's bytes. */
async function resumed(env: Env, imageId: string, expected: string | undefined): Promise<void> {
  const moved: number[] = [];
  for (let run = 0; run < Math.min(RUNS, 3); run++) {
    const relay = await startDropProxy(env.sim.url, SIZE / 2);
    const result = await sdk(
      env,
      { op: "download", auth: "token", imageId, file: join(env.dir, "resumed.vma") },
      relay.url,
    );
    await relay.close();
    await rm(join(env.dir, "resumed.vma"), { force: true });
    if (relay.drops() !== 1 || (result.resumes ?? 0) < 1 || result.sha256 !== expected) {
      throw new Error(`the cut download did not resume whole: ${JSON.stringify({ drops: relay.drops(), ...result })}`);
    }
    moved.push(relay.relayed() / SIZE);
  }
  figures.push(
    figure("download cut at 50%: bytes moved / file size", moved, "×", goal.atMost(1.1), {
      note: "bytes the relay carried to the client, TLS records included",
    }),
  );
}

/** Runs `work` on a simulator whose exported VMAs have `vmaBytes`, and stops it after. */
async function withSim<T>(dir: string, vmaBytes: number, work: (env: Env) => Promise<T>): Promise<T> {
  const env = await setUp(dir, vmaBytes);
  try {
    return await work(env);
  } finally {
    await env.sim.stop();
  }
}

/** Side by side with curl at SIZE, the hash pre-pass and the resumed download; returns the SDK's runs. */
async function sideBySide(env: Env, file: string) {
  await makeFile(file, SIZE);
  const vma = await exportedVma(env);
  const down = await downloads(env, vma, SIZE, RUNS);
  const up = await uploads(env, file, SIZE, RUNS);
  figures.push(...down.figures, ...up.figures);
  figures.push(figure("simulator process peak RSS, downloads and uploads", (await env.sim.peakRss()) / MIB, "MiB"));
  figures.push(...(await hashPrePass(env, file, RUNS)));
  await resumed(env, vma, down.runs[0]?.sha256);
  return { down: down.runs, up: up.runs };
}

/** One SDK download and one upload of LARGE bytes, for their peak RSS. */
async function large(env: Env, file: string) {
  await makeFile(file, LARGE);
  const target = join(env.dir, "large.vma");
  const down = await sdk(env, { op: "download", auth: "token", imageId: await exportedVma(env), file: target });
  await rm(target);
  return { down, up: await sdkUpload(env, file, "token") };
}

async function main(): Promise<void> {
  await bundleClient();
  const dir = await mkdtemp(join(tmpdir(), "scp-bench-transfers-"));
  const file = join(dir, "upload.bin");
  try {
    const small = await withSim(dir, SIZE, (env) => sideBySide(env, file));
    const big = await withSim(dir, LARGE, (env) => large(env, file));
    figures.push(...memory("download", small.down, big.down), ...memory("upload", small.up, big.up));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await report(args, figures, [
    "The SDK and curl run one right after the other, taking turns going first; then Node alone (and curl | openssl).",
    "The SDK and Node alone run in a fresh process per transfer.",
  ]);
}

await main();
