// Shared by the session tests: an in-process simulator with the backup lab, a recording client, a private state dir.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  type AttachedDisk,
  type BackupSession,
  type ChangedArea,
  createScpClient,
  type ScpClient,
} from "../../src/index.js";
import {
  type ScpSimulator,
  type ScpSimulatorBackupLab,
  type ScpSimulatorOptions,
  type ScpSimulatorServer,
  startScpSimulator,
} from "../../src/simulator/index.js";
import { FAST, simulated } from "../support/sim.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh directory for session journals, removed after the test. */
export function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "scp-sessions-"));
  dirs.push(dir);
  return dir;
}

/** The backup lab with instant tasks, a client that records calls, and session options for it. */
export function lab(options: ScpSimulatorOptions = {}, intercept?: Parameters<typeof simulated>[1]) {
  const env = simulated({ serverCount: 0, backupLab: true, ...options }, intercept);
  const lab = env.sim.lab as ScpSimulatorBackupLab;
  const poolA = env.sim.poolIds[0] as string;
  const opts = { ...FAST, stateDir: stateDir() };
  return { ...env, lab, poolA, proxyA: lab.proxies[poolA] as string, opts };
}

/** Reads every area through the attached device, as the agent in the proxy does, into a whole-disk image. */
export async function readImage(
  sim: Pick<ScpSimulator, "guest">,
  device: AttachedDisk,
  areas: AsyncIterable<ChangedArea>,
  base?: Uint8Array,
): Promise<{ image: Uint8Array; areas: ChangedArea[] }> {
  const image = base ? Uint8Array.from(base) : new Uint8Array(device.sizeBytes);
  const read: ChangedArea[] = [];
  for await (const area of areas) {
    image.set(sim.guest.readDevice(device.proxyId, device.serial, area.offset, area.length), area.offset);
    read.push(area);
  }
  return { image, areas: read };
}

/** Hex SHA-256. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Backs up one disk through the session: attach, read its areas, detach. */
export async function backUpDisk(
  sim: Pick<ScpSimulator, "guest">,
  session: BackupSession,
  diskId: string,
  base?: Uint8Array,
) {
  const device = await session.attach(diskId);
  const result = await readImage(sim, device, session.changedAreas(diskId), base);
  await device.detach();
  return result;
}

/** The backup lab over real loopback HTTPS (instant tasks) and a client trusting it, for the calling test file. */
export function useHttpsLab() {
  const env = {} as { server: ScpSimulatorServer; scp: ScpClient; lab: ScpSimulatorBackupLab };
  beforeAll(async () => {
    env.server = await startScpSimulator({ serverCount: 0, taskDurationMs: 0, vmtoolsDelayMs: 0, backupLab: true });
    const { accessKey, secretKey } = env.server.credentials;
    env.scp = createScpClient({
      baseUrl: env.server.url,
      auth: { type: "signature", accessKey, secretKey },
      tls: { ca: env.server.ca },
    });
    env.lab = env.server.lab as ScpSimulatorBackupLab;
  });
  afterAll(() => env.server.close());
  return env;
}
