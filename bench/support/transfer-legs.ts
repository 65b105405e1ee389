// The side-by-side legs of bench/transfers.ts: the SDK and curl on the same URL of the same simulator.
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ScpClient } from "../../src/index.js";
import { runClient } from "./client-process.js";
import { curl, curlAuth } from "./curl.js";
import { type Figure, figure, goal } from "./figures.js";
import type { SimProcess } from "./sim-process.js";
import type { Job, Outcome } from "./transfer-client.js";

const MIB = 1024 * 1024;
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
  return intoNewImage(env, (id) => sdk(env, { op: "upload", auth, imageId: id, file }));
}

/** Side by side, `runs` times: curl -o and the SDK's download to a file, alternating which goes first. */
export async function downloads(env: Env, imageId: string, bytes: number, runs: number) {
  const url = `${env.sim.url}/janus/20240725/images/${imageId}/download`;
  const viaCurl = () => curl([...curlAuth(env.caFile, env.sim.token), "-o", join(env.dir, "curl.vma"), url]);
  const viaSdk = () => sdk(env, { op: "download", auth: "token", imageId, file: join(env.dir, "sdk.vma") });
  const pairs: { curl: Outcome | { seconds: number; bytes: number }; sdk: Outcome }[] = [];
  for (let run = 0; run < runs; run++) {
    const first = run % 2 === 0 ? await viaCurl() : undefined;
    const s = await viaSdk();
    pairs.push({ curl: first ?? (await viaCurl()), sdk: s });
    await rm(join(env.dir, "curl.vma"), { force: true });
    await rm(join(env.dir, "sdk.vma"), { force: true });
  }
  const mib = bytes / MIB;
  const figures: Figure[] = [
    figure(
      `download ${mib} MiB: SDK (to a file, SHA-256) / curl -o`,
      pairs.map((p) => rate(p.sdk) / rate(p.curl)),
      "×",
      goal.atLeast(0.9),
    ),
    figure(
      `download ${mib} MiB: curl -o`,
      pairs.map((p) => rate(p.curl)),
      "MiB/s",
    ),
    figure(
      `download ${mib} MiB: SDK to a file with SHA-256`,
      pairs.map((p) => rate(p.sdk)),
      "MiB/s",
    ),
  ];
  return { figures, runs: pairs.map((p) => p.sdk) };
}

/** Side by side, `runs` times: curl -T and the SDK's upload with token auth; then the SDK with signature auth. */
export async function uploads(env: Env, file: string, bytes: number, runs: number) {
  const viaCurl = () =>
    intoNewImage(env, (id) => {
      const url = `${env.sim.url}/janus/20180725/images/${id}/upload`;
      const type = ["-H", "Content-Type: application/octet-stream", "-H", "Expect:", "-o", "/dev/null"];
      return curl([...curlAuth(env.caFile, env.sim.token), ...type, "-T", file, url]);
    });
  const viaSdk = (auth: Job["auth"]) => sdkUpload(env, file, auth);
  const pairs: { curl: { seconds: number; bytes: number }; sdk: Outcome; signed: Outcome }[] = [];
  for (let run = 0; run < runs; run++) {
    const first = run % 2 === 0 ? await viaCurl() : undefined;
    const s = await viaSdk("token");
    pairs.push({ curl: first ?? (await viaCurl()), sdk: s, signed: await viaSdk("signature") });
  }
  const mib = bytes / MIB;
  const figures: Figure[] = [
    figure(
      `upload ${mib} MiB: SDK (token auth) / curl -T`,
      pairs.map((p) => rate(p.sdk) / rate(p.curl)),
      "×",
      goal.atLeast(0.9),
    ),
    figure(
      `upload ${mib} MiB: curl -T`,
      pairs.map((p) => rate(p.curl)),
      "MiB/s",
    ),
    figure(
      `upload ${mib} MiB: SDK, token auth`,
      pairs.map((p) => rate(p.sdk)),
      "MiB/s",
    ),
    figure(
      `upload ${mib} MiB: SDK, signature auth (hash pre-pass included)`,
      pairs.map((p) => rate(p.signed)),
      "MiB/s",
    ),
  ];
  return { figures, runs: pairs.map((p) => p.sdk) };
}

/** Drops the file's pages from the page cache (GNU dd), so the next read comes from the disk. */
function dropCache(file: string): void {
  execFileSync("dd", [`if=${file}`, "iflag=nocache", "count=0", "status=none"]);
}

/**
 * The signature upload's hash pre-pass (`hashFile`) against what bounds it: plain 1 MiB reads of the same file
 * (the disk, or the page cache) and SHA-256 over bytes already in memory. Taken cold (the file's pages dropped
 * first) and cached, each the same number of times.
 */
export async function hashPrePass(env: Env, file: string, runs: number): Promise<Figure[]> {
  const job = (op: Job["op"]) => sdk(env, { op, auth: "token", imageId: "", file }).then(rate);
  const cold = { read: [] as number[], hash: [] as number[] };
  const warm = { read: [] as number[], hash: [] as number[], sha: [] as number[] };
  for (let run = 0; run < runs; run++) {
    for (const op of ["read", "hash"] as const) {
      dropCache(file);
      cold[op].push(await job(op));
      warm[op].push(await job(op));
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
  ];
}
