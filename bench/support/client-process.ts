// Runs transfer-client.ts in a process of its own: bundled with esbuild (the SDK from src/, its dependencies
// left to node_modules, as an application's bundle would), then started with plain node.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { runChildJson } from "./run-child.js";
import type { Job, Outcome } from "./transfer-client.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUNDLE = `${ROOT}tmp/bench/transfer-client.mjs`;

/** Bundles the client (once per run of the benchmark, so it carries the current src/). */
export async function bundleClient(): Promise<void> {
  await build({
    entryPoints: [`${ROOT}bench/support/transfer-client.ts`],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}

/** Runs one job in a fresh client process and returns what it measured. */
export async function runClient(job: Job): Promise<Outcome> {
  // BENCH_CLIENT_NODE_FLAGS (say `--cpu-prof --cpu-prof-dir=tmp/prof`) profiles the client processes.
  const flags = (process.env.BENCH_CLIENT_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  return runChildJson<Outcome>(
    process.execPath,
    [...flags, BUNDLE, JSON.stringify(job)],
    `transfer client (${job.op})`,
  );
}
