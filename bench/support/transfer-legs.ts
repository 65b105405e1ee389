// The side-by-side legs of bench/transfers.ts on the same URL of the same simulator: the SDK, curl, Node alone
// (node-transfer.mjs) and, for downloads, curl doing the same work (curl | tee | openssl dgst).
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScpClient } from "../../src/index.js";
import { runClient } from "./client-process.js";
import { curl, curlAuth, curlHashed, opensslHash } from "./curl.js";
import { type Figure, figure, goal } from "./figures.js";
import { runChildJson } from "./run-child.js";
import type { SimProcess } from "./sim-process.js";
import type { Job, Outcome } from "./transfer-client.js";

const MIB = 1024 * 1024;
const NODE_TRANSFER = fileURLToPath(new URL("node-transfer.mjs", import.meta.url));
const FAST = { pollIntervalMs: 20, maxIntervalMs: 200 };

/** One simulator process with a client of the benchmark's own (token auth) and a scratch folder. */
export interface Env {
  sim: SimProcess;
  scp: ScpClient;
  dir: string;
  caFile: string;
}

/** MiB/s of a transfer. */
export const rate = (o: { seconds: number; bytes: number }) => o.bytes / MIB / o.seconds;

/** Runs the SDK's client process on this simulator (or on `url`, a relay in front of it). */
export function sdk(env: Env, job: Pick<Job, "op" | "auth" | "imageId" | "file">, url = env.sim.url) {
  return runClient({ ...job, url, ca: env.sim.ca, credentials: env.sim.credentials });
}

/** An exported VMA of the simulator's VMA size, ready to download. */
export async function exportedVma(env: Env): Promise<string> {
  const { scp, sim } = env;
  const name = `bench-vma-${Date.now()}`;
  const azs = [sim.poolIds[0] as string];
  await scp.tasks.wait(
    await scp.images.createFromServer({ server_id: sim.goldenServerId, name, os_type: "l2664", azs }),
    FAST,
  );
  const [vma] = await scp.images.findByName(name);
  await scp.tasks.wait(await scp.images.export(vma?.id as string), FAST);
  return vma?.id as string;
}

/** Uploads `file` into a fresh image record with `send`, then deletes the image (and the simulator's copy). */
async function intoNewImage<T>(env: Env, send: (imageId: string) => Promise<T>): Promise<T> {
  const owner = await env.scp.projects.getAdministratorId();
  const azs = [env.sim.poolIds[0] as string];
  const { imageId } = await env.scp.images.create({
    name: `bench-up-${Date.now()}`,
    azs,
    disk_format: "aCloud",
    image_type: "private",
    owner_id: owner,
  });
  const result = await send(imageId);
  await env.scp.images.delete(imageId);
  return result;
}

/** One upload of `file` by the SDK's client process into a fresh image. */
export function sdkUpload(env: Env, file: string, auth: Job["auth"]): Promise<Outcome> {
  return intoNewImage(env, sdkUploadTo(env, file, auth));
}

/** An upload of `file` by the SDK's client process into a given image record. */
function sdkUploadTo(env: Env, file: string, auth: Job["auth"]): (imageId: string) => Promise<Outcome> {
  return (imageId) => sdk(env, { op: "upload", auth, imageId, file });
}

/** A transfer's timing and the client's CPU time, as curl, Node alone and the SDK's client process report them. */
type Timed = { seconds: number; bytes: number; cpuMs: number };

/** A leg's result with the simulator's CPU time during it (ms). */
type Served<T> = T & { simCpuMs: number };

/** Runs `leg` and adds the CPU time the simulator process spent meanwhile. */
async function served<T>(env: Env, leg: () => Promise<T>): Promise<Served<T>> {
  const before = await env.sim.cpuMs();
  const result = await leg();
  return { ...result, simCpuMs: (await env.sim.cpuMs()) - before };
}

/** Runs each leg once, starting at a different leg each run, so no leg always goes first on a cooler machine. */
async function rotated<L extends Record<string, () => Promise<unknown>>>(
  legs: L,
  run: number,
): Promise<{ [K in keyof L]: Awaited<ReturnType<L[K]>> }> {
  const names = Object.keys(legs);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[(run + i) % names.length] as string;
    out[name] = await (legs[name] as () => Promise<unknown>)();
  }
  return out as { [K in keyof L]: Awaited<ReturnType<L[K]>> };
}

/**
 * Runs the legs a goal compares (`pair`) one right after the other, then the others, each group {@link rotated}:
 * the machine drifts (the host, the page cache), and a ratio is truest between neighbours.
 */
async function paired<
  P extends Record<string, () => Promise<unknown>>,
  O extends Record<string, () => Promise<unknown>>,
>(
  pair: P,
  others: O,
  run: number,
): Promise<{ [K in keyof P]: Awaited<ReturnType<P[K]>> } & { [K in keyof O]: Awaited<ReturnType<O[K]>> }> {
  return { ...(await rotated(pair, run)), ...(await rotated(others, run)) };
}

/** The same transfer by Node alone (bench/support/node-transfer.mjs): undici's request, no SDK. */
async function nodeAlone(env: Env, op: "download" | "upload", url: string, file: string): Promise<Outcome> {
  const job = { op, url, caFile: env.caFile, token: env.sim.token, file };
  return runChildJson<Outcome>(process.execPath, [NODE_TRANSFER, JSON.stringify(job)], `node alone (${op})`);
}

/**
 * CPU seconds per GiB moved, of each client and of the simulator serving it: on a machine of few cores, the two
 * processes share them, so a client's speed follows both.
 */
function cpuFigures(what: string, runs: { curl: Served<Timed>; node: Served<Timed>; sdk: Served<Timed> }[]): Figure[] {
  const perGib = (ms: number, bytes: number) => ms / 1000 / (bytes / (1024 * MIB));
  return (["sdk", "curl", "node"] as const).flatMap((leg) => {
    const name = { sdk: "SDK", curl: "curl", node: "Node alone" }[leg];
    return [
      figure(
        `${what}: client CPU per GiB, ${name}`,
        runs.map((r) => perGib(r[leg].cpuMs, r[leg].bytes)),
        "s",
      ),
      figure(
        `${what}: simulator CPU per GiB, serving ${name}`,
        runs.map((r) => perGib(r[leg].simCpuMs, r[leg].bytes)),
        "s",
      ),
    ];
  });
}

/** The side-by-side figures of one direction: SDK / curl (the goal), Node alone / curl and SDK / Node alone. */
function sideFigures(what: string, yardstick: string, runs: { curl: Timed; node: Timed; sdk: Timed }[]): Figure[] {
  const ratio = (a: "sdk" | "node", b: "curl" | "node") => runs.map((r) => rate(r[a]) / rate(r[b]));
  return [
    figure(`${what}: SDK / ${yardstick}`, ratio("sdk", "curl"), "×", goal.atLeast(0.9)),
    figure(`${what}: Node alone (undici, same work, no SDK) / ${yardstick}`, ratio("node", "curl"), "×"),
    figure(`${what}: SDK / Node alone`, ratio("sdk", "node"), "×"),
    figure(
      `${what}: ${yardstick}`,
      runs.map((r) => rate(r.curl)),
      "MiB/s",
    ),
    figure(
      `${what}: Node alone`,
      runs.map((r) => rate(r.node)),
      "MiB/s",
    ),
    figure(
      `${what}: SDK`,
      runs.map((r) => rate(r.sdk)),
      "MiB/s",
    ),
  ];
}

/**
 * Side by side, `runs` times: curl -o, Node alone, the SDK's download to a file with its SHA-256, and curl doing
 * that same work through a pipe (see {@link curlHashed}).
 */
export async function downloads(env: Env, imageId: string, bytes: number, runs: number) {
  const url = `${env.sim.url}/janus/20240725/images/${imageId}/download`;
  const out = (name: string) => join(env.dir, `${name}.vma`);
  // Each file is removed as soon as it is written, so no leg waits on the disk writing back another's pages.
  const removed = async <T>(name: string, leg: Promise<T>) => {
    const result = await leg;
    await rm(out(name), { force: true });
    return result;
  };
  const auth = curlAuth(env.caFile, env.sim.token);
  const pair = {
    curl: () =>
      removed(
        "curl",
        served(env, () => curl([...auth, "-o", out("curl"), url])),
      ),
    sdk: () =>
      removed(
        "sdk",
        served(env, () => sdk(env, { op: "download", auth: "token", imageId, file: out("sdk") })),
      ),
  };
  const others = {
    node: () =>
      removed(
        "node",
        served(env, () => nodeAlone(env, "download", url, out("node"))),
      ),
    // No CPU figures for this leg: it is compared on speed alone, and may not run (no openssl).
    curlHashed: () => removed("curl-hashed", curlHashed(auth, url, out("curl-hashed"))),
  };
  const results: {
    curl: Served<Timed>;
    node: Served<Outcome>;
    sdk: Served<Outcome>;
    curlHashed: { seconds: number; bytes: number } | undefined;
  }[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await paired(pair, others, run));
  }
  const what = `download ${bytes / MIB} MiB to a file with SHA-256`;
  const growth = (o: Outcome) => (o.peakRss - o.startRss) / MIB;
  const figures = [
    ...sideFigures(what, "curl -o", results),
    ...cpuFigures(what, results),
    figure(
      `${what}: Node alone, client peak RSS`,
      results.map((r) => r.node.peakRss / MIB),
      "MiB",
    ),
    figure(
      `${what}: SDK, client RSS growth (peak - before)`,
      results.map((r) => growth(r.sdk)),
      "MiB",
    ),
    figure(
      `${what}: Node alone, client RSS growth (peak - before)`,
      results.map((r) => growth(r.node)),
      "MiB",
    ),
  ];
  const hashed = results.flatMap(({ sdk, curlHashed }) => (curlHashed ? [{ sdk, curl: curlHashed }] : []));
  if (hashed.length > 0) {
    const same = "curl | tee | openssl SHA-256 (the same work)";
    figures.push(
      figure(
        `${what}: SDK / ${same}`,
        hashed.map((r) => rate(r.sdk) / rate(r.curl)),
        "×",
      ),
      figure(
        `${what}: ${same}`,
        hashed.map((r) => rate(r.curl)),
        "MiB/s",
      ),
    );
  }
  return { figures, runs: results.map((r) => r.sdk) };
}

/** Side by side, `runs` times: curl -T, Node alone and the SDK's upload, token auth; then the SDK with signature auth. */
export async function uploads(env: Env, file: string, bytes: number, runs: number) {
  const uploadUrl = (id: string) => `${env.sim.url}/janus/20180725/images/${id}/upload`;
  const type = ["-H", "Content-Type: application/octet-stream", "-H", "Expect:", "-o", "/dev/null"];
  // Each leg uploads into a fresh image record; the simulator's CPU is counted over the upload alone.
  const servedInto = <T>(send: (imageId: string) => Promise<T>) =>
    intoNewImage(env, (id) => served(env, () => send(id)));
  const pair = {
    curl: () => servedInto((id) => curl([...curlAuth(env.caFile, env.sim.token), ...type, "-T", file, uploadUrl(id)])),
    sdk: () => servedInto(sdkUploadTo(env, file, "token")),
  };
  const others = { node: () => servedInto((id) => nodeAlone(env, "upload", uploadUrl(id), file)) };
  const results: { curl: Served<Timed>; node: Served<Timed>; sdk: Served<Outcome> }[] = [];
  const signed: Outcome[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await paired(pair, others, run));
    signed.push(await sdkUpload(env, file, "signature"));
  }
  const what = `upload ${bytes / MIB} MiB, token auth`;
  const figures = [
    ...sideFigures(what, "curl -T", results),
    ...cpuFigures(what, results),
    figure(`upload ${bytes / MIB} MiB: SDK, signature auth (hash pre-pass included)`, signed.map(rate), "MiB/s"),
  ];
  return { figures, runs: results.map((r) => r.sdk) };
}

/** Drops the file's pages from the page cache (GNU dd), so the next read comes from the disk. */
function dropCache(file: string): void {
  execFileSync("dd", [`if=${file}`, "iflag=nocache", "count=0", "status=none"]);
}

/**
 * The signature upload's hash pre-pass (`hashFile`) against what bounds it: plain 1 MiB reads of the same file
 * (the disk, or the page cache) and SHA-256 over bytes already in memory. Taken cold (the file's pages dropped
 * first) and cached, each the same number of times, taking turns going first; `openssl dgst -sha256` of the file, the
 * same work done with a standard tool, beside them when there is an openssl.
 */
export async function hashPrePass(env: Env, file: string, runs: number): Promise<Figure[]> {
  const job = (op: Job["op"]) => sdk(env, { op, auth: "token", imageId: "", file }).then(rate);
  const openssl = async () => {
    const timed = await opensslHash(file);
    return timed === undefined ? Number.NaN : rate(timed);
  };
  // Each leg once with the file's pages dropped, then once cached.
  const coldThenWarm = (leg: () => Promise<number>) => async () => {
    dropCache(file);
    const cold = await leg();
    return { cold, warm: await leg() };
  };
  const legs = {
    read: coldThenWarm(() => job("read")),
    hash: coldThenWarm(() => job("hash")),
    openssl: coldThenWarm(openssl),
  };
  const cold = { read: [] as number[], hash: [] as number[], openssl: [] as number[] };
  const warm = { read: [] as number[], hash: [] as number[], openssl: [] as number[], sha: [] as number[] };
  // The transfers before left the disk busy writing: flush it, and read the file once cold, uncounted.
  execFileSync("sync");
  dropCache(file);
  await job("read");
  for (let run = 0; run < runs; run++) {
    // Taking turns going first: a disk still busy can slow whichever cold leg comes first.
    const taken = await rotated(legs, run);
    for (const leg of ["read", "hash", "openssl"] as const) {
      cold[leg].push(taken[leg].cold);
      warm[leg].push(taken[leg].warm);
    }
    warm.sha.push(await job("sha"));
  }
  const bound = (reads: number[]) => reads.map((r, i) => Math.min(r, warm.sha[i] as number));
  const ratio = (a: number[], b: number[]) => a.map((x, i) => x / (b[i] as number));
  return [
    figure(
      "hash pre-pass / min(plain read, SHA-256 in memory), not cached",
      ratio(cold.hash, bound(cold.read)),
      "×",
      goal.atLeast(0.9),
    ),
    figure(
      "hash pre-pass / min(plain read, SHA-256 in memory), cached",
      ratio(warm.hash, bound(warm.read)),
      "×",
      goal.atLeast(0.9),
    ),
    figure("hash pre-pass, not cached", cold.hash, "MiB/s"),
    figure("plain read, not cached", cold.read, "MiB/s"),
    figure("hash pre-pass, cached", warm.hash, "MiB/s"),
    figure("plain read, cached", warm.read, "MiB/s"),
    figure("SHA-256 of bytes in memory", warm.sha, "MiB/s"),
    ...(cold.openssl.some(Number.isNaN)
      ? []
      : [
          figure(
            "hash pre-pass / openssl dgst -sha256 (the same work), not cached",
            ratio(cold.hash, cold.openssl),
            "×",
          ),
          figure("hash pre-pass / openssl dgst -sha256 (the same work), cached", ratio(warm.hash, warm.openssl), "×"),
          figure("openssl dgst -sha256, not cached", cold.openssl, "MiB/s"),
          figure("openssl dgst -sha256, cached", warm.openssl, "MiB/s"),
        ]),
  ];
}
