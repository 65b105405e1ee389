// SIGKILL crash trials: a child process runs a deploy (changing a fleet) or a publish against an HTTPS simulator
// in this process and is killed with SIGKILL once the simulator has had a random number of its requests; a clean
// re-run here must then converge, with nothing duplicated and nothing half-made left.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import {
  createScpClient,
  type DeployBackupProxyFleetInput,
  deployBackupProxyFleet,
  importProxyImage,
  publishProxyImage,
  type ScpClient,
} from "../../src/index.js";
import { type ScpSimulatorServer, startScpSimulator } from "../../src/simulator/index.js";
import { useVmaFile } from "../workflows/fleet-env.js";
import { liveFigures } from "./support/figures.js";
import { expectFleetExactly, FAST, fleetInput } from "./support/fleet-world.js";
import { Rng, scaled, trialSeeds } from "./support/mode.js";
import { expectPublished, VMA_BYTES } from "./support/publish-world.js";
import { SecretScan } from "./support/secret-scan.js";
import { eachSeed, trialNote } from "./support/trial.js";

const vma = useVmaFile();
const SEEDS = trialSeeds("crash", scaled(4, 30));
const CHILD = join(import.meta.dirname, "support/crash-child.ts");
/** About how many requests each run sends; the kill lands after 1 to this many (a later one finds it done). */
const REQUESTS = { deploy: 70, publish: 30 } as const;
type Figures = ReturnType<typeof liveFigures>;

const requestsSeen = (server: ScpSimulatorServer) =>
  Object.values(server.state().requestCounts).reduce((a, b) => a + b, 0);

/** Runs the child and kills it with SIGKILL after `k` more requests reach the simulator. */
async function runAndKill(server: ScpSimulatorServer, job: object, k: number, scan: SecretScan) {
  const base = requestsSeen(server);
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, CHAOS_CHILD: JSON.stringify(job), NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const watch = setInterval(() => {
    if (requestsSeen(server) - base >= k) {
      child.kill("SIGKILL");
    }
  }, 3);
  const how = await ended;
  clearInterval(watch);
  scan.error(new Error(output), "crashed child's output");
  return { killed: how.signal === "SIGKILL", output, sent: requestsSeen(server) - base };
}

function parentClient(server: ScpSimulatorServer, scan: SecretScan): ScpClient {
  scan.add(server.credentials.secretKey, "secret key");
  return createScpClient({
    baseUrl: server.url,
    auth: { type: "signature", accessKey: server.credentials.accessKey, secretKey: server.credentials.secretKey },
    tls: { ca: server.ca },
    proxy: false,
    logger: scan.logger(),
  });
}

const jobOf = (server: ScpSimulatorServer, mode: "deploy" | "publish", input: object, options: object) => ({
  url: server.url,
  ca: server.ca,
  accessKey: server.credentials.accessKey,
  secretKey: server.credentials.secretKey,
  mode,
  input,
  options,
});

async function deployTrial(server: ScpSimulatorServer, rng: Rng, figures: Figures, scan: SecretScan) {
  const scp = parentClient(server, scan);
  const [poolA, poolB] = server.poolIds as [string, string];
  const image = async (imageName: string) =>
    (await importProxyImage(scp, { file: vma.path, imageName, azIds: [poolA, poolB] }, FAST)).imageId;
  const [v1, v2] = [await image("proxy-v1"), await image("proxy-v2")];
  await deployBackupProxyFleet(scp, fleetInput(v1, { [poolA]: 2 }), FAST);
  const before = server.state();
  const target: DeployBackupProxyFleetInput = fleetInput(
    v2,
    { [poolA]: 3, [poolB]: 1 },
    { initScript: "systemctl start backup-agent" },
  );
  const k = rng.int(1, REQUESTS.deploy);
  trialNote.text = `deploy killed after ${k} requests`;
  const crash = await runAndKill(server, jobOf(server, "deploy", target, { prune: true }), k, scan);
  figures.add(crash.killed ? "deploys killed mid-run" : "deploys that ended before the kill");
  await deployBackupProxyFleet(scp, target, { ...FAST, prune: true });
  expectFleetExactly({ sim: server }, target, before);
}

async function publishTrial(server: ScpSimulatorServer, rng: Rng, figures: Figures, scan: SecretScan) {
  const scp = parentClient(server, scan);
  const workDir = await mkdtemp(join(tmpdir(), "scp-chaos-crash-"));
  try {
    const input = { serverId: server.goldenServerId, imageName: "proxy-crash", azIds: [...server.poolIds], workDir };
    const before = { source: server.state(), target: server.state() };
    const k = rng.int(1, REQUESTS.publish);
    trialNote.text = `publish killed after ${k} requests`;
    const crash = await runAndKill(server, jobOf(server, "publish", input, {}), k, scan);
    figures.add(crash.killed ? "publishes killed mid-run" : "publishes that ended before the kill");
    const left = await readdir(workDir);
    figures.add("files a killed publish could not remove", left.length);
    await publishProxyImage(scp, input, FAST);
    const world = { source: server, target: server, azIds: [...server.poolIds], workDir };
    await expectPublished(world, "proxy-crash", before, false, left);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

test("SIGKILL at a random point of a deploy or a publish in a child process; a clean re-run converges", async (context) => {
  const figures = liveFigures(context, "SIGKILL crashes");
  await eachSeed(SEEDS, async (seed, index) => {
    const rng = new Rng(seed);
    const scan = new SecretScan();
    const server = await startScpSimulator({
      seed,
      taskDurationMs: 5,
      vmtoolsDelayMs: 5,
      serverCount: 20,
      vmaSizeBytes: VMA_BYTES,
    });
    try {
      await (index % 2 === 0 ? deployTrial(server, rng, figures, scan) : publishTrial(server, rng, figures, scan));
      expect(scan.leaks).toEqual([]);
      figures.add("trials");
    } finally {
      await server.close();
    }
  });
  figures.set("seeds", SEEDS.length);
}, 900_000);
