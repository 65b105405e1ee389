// Shared by the CLI tests: the built CLIs (built once when stale), spawning them, and an HTTPS simulator to aim at.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createScpClient, type ScpClient } from "../../src/index.js";
import { type StartScpSimulatorOptions, startScpSimulator } from "../../src/simulator/index.js";
import { cleanEnv, ensureBuilt, ROOT, run } from "../package/packed.js";

/** The built operators' CLI and simulator CLI. */
export const SCP_PROXY = join(ROOT, "dist/cli/scp-proxy.js");
export const SCP_SIM = join(ROOT, "dist/cli/scp-sim.js");

const LOCK = join(ROOT, "node_modules/.cache/cli-test-build.lock");
const STALE_LOCK_MS = 5 * 60_000;

/** Builds dist/ once when it is stale; the CLI test files run in parallel, so one builds while the others wait. */
export function buildOnce(): void {
  mkdirSync(join(LOCK, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_LOCK_MS) {
        rmSync(LOCK, { recursive: true, force: true });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    ensureBuilt();
    if (!existsSync(SCP_PROXY)) {
      run("npm", ["run", "build"], { cwd: ROOT });
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** How a spawned CLI ended, and what it printed. */
export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a spawned CLI: the test's own, less what would change colour or connection. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const name of Object.keys(env)) {
    if (/^(SCP_|NO_COLOR$|FORCE_COLOR$|CI$)/.test(name)) {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

/** A spawned process, with its output so far and a promise of how it ended. */
export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  out: { stdout: string; stderr: string };
  ended: Promise<Ran>;
}

/** Starts a command (asynchronously: the simulator runs in this process and must keep answering). */
export function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { env, cwd: ROOT });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const ended = new Promise<Ran>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal, ...out }));
  });
  return { child, out, ended };
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Starts the built scp-proxy with stdin, stdout and stderr on a pseudo-terminal (util-linux `script`). */
export function startOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv): Spawned {
  const command = [process.execPath, SCP_PROXY, ...args].map(quote).join(" ");
  return start("script", ["-qec", command, "/dev/null"], env);
}

/** Runs the built scp-proxy to its end. */
export function scpProxy(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return start(process.execPath, [SCP_PROXY, ...args], env).ended;
}

/** An HTTPS simulator for the CLI: its CA in a file, the flags and environment to reach it, a client to check it. */
export async function simulatorForCli(options: StartScpSimulatorOptions = {}) {
  const server = await startScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 20, ...options });
  const dir = await mkdtemp(join(tmpdir(), "scp-cli-test-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, server.ca);
  const { accessKey, secretKey } = server.credentials;
  const scp: ScpClient = createScpClient({
    baseUrl: server.url,
    auth: { type: "signature", accessKey, secretKey },
    tls: { ca: server.ca },
  });
  return {
    server,
    scp,
    dir,
    /** Address and CA as flags; the keys go in the environment, as the documentation advises. */
    flags: ["--url", server.url, "--ca-file", caFile],
    env: cliEnv({ SCP_ACCESS_KEY: accessKey, SCP_SECRET_KEY: secretKey }),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A simulator for the CLI, as {@link simulatorForCli} makes it. */
export type CliSimulator = Awaited<ReturnType<typeof simulatorForCli>>;

/** The built CLIs and a simulator for the calling test file: filled in before its tests, closed after them. */
export function useSimulator(options: StartScpSimulatorOptions = {}): CliSimulator {
  const sim = {} as CliSimulator;
  beforeAll(async () => {
    buildOnce();
    Object.assign(sim, await simulatorForCli(options));
  }, 300_000);
  afterAll(async () => {
    await sim.close?.();
  });
  return sim;
}

/** The one JSON document a `--json` run printed on stdout (parsing fails if there is anything else). */
export function document(ran: Ran): Record<string, unknown> {
  return JSON.parse(ran.stdout) as Record<string, unknown>;
}
