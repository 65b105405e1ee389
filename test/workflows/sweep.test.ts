// A session killed mid-way (SIGKILL in a child process) leaves a hot-added disk, a lock and a snapshot; the sweep
// finds them from the journal, removes exactly them, and touches nothing that is not the session's.
import { fork } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createScpClient, type ScpClient, sweepBackupLeftovers } from "../../src/index.js";
import { type BackupLab, type ScpSimulatorServer, startScpSimulator } from "../../src/simulator/index.js";
import { FAST } from "../support/sim.js";
import { stateDir } from "./session-env.js";

let server: ScpSimulatorServer;
let scp: ScpClient;
let lab: BackupLab;

beforeAll(async () => {
  server = await startScpSimulator({ serverCount: 0, taskDurationMs: 0, vmtoolsDelayMs: 0, backupLab: true });
  scp = createScpClient({
    baseUrl: server.url,
    auth: { type: "signature", accessKey: server.credentials.accessKey, secretKey: server.credentials.secretKey },
    tls: { ca: server.ca },
  });
  lab = server.lab as BackupLab;
});
afterAll(() => server.close());

interface Held {
  sessionId: string;
  snapshotId: string;
  resourceId: string;
  device: { proxyId: string; proxyDiskId: string; serial: string };
}

/** Runs the crashing session in a child process and kills it once it holds everything. */
async function crashedSession(dir: string): Promise<Held> {
  const child = fork(new URL("./fixtures/crash-session.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: {
      ...process.env,
      SIM_URL: server.url,
      SIM_CA: server.ca,
      SIM_AK: server.credentials.accessKey,
      SIM_SK: server.credentials.secretKey,
      SERVER_ID: lab.vms.running,
      STATE_DIR: dir,
    },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const held = await new Promise<Held>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Held));
    child.once("exit", (code) =>
      reject(new Error(`the session process ended (${code}) before holding anything: ${stderr}`)),
    );
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return held;
}

test("after a SIGKILL mid-session the sweep removes the session's disk, lock and snapshot, and nothing else", async () => {
  const dir = stateDir();
  const held = await crashedSession(dir);
  const proxy = held.device.proxyId;
  // Things that are not the session's: a snapshot of the same VM, a disk on the same proxy, a lock on another VM.
  const userSnapshot = await scp.snapshots.create(lab.vms.running, { name: "before-upgrade" });
  await scp.tasks.wait(userSnapshot, FAST);
  const other = await scp.hotAdd.attach(proxy, [
    { serverId: lab.vms.stopped, diskId: "virtio0", application: "restore" },
  ]);
  await scp.tasks.wait(other, FAST);
  const otherLock = await scp.backupResources.create({
    serverId: lab.vms.noVmtools,
    type: "backup",
    lockTimeMs: 600_000,
  });
  await scp.tasks.wait(otherLock, FAST);

  const dry = await sweepBackupLeftovers(scp, { ...FAST, stateDir: dir, dryRun: true });
  expect(dry.removed).toEqual([]);
  expect(dry.remaining).toEqual([]);
  expect(dry.plan.map((l) => [l.kind, l.id]).sort()).toEqual(
    [
      ["backup-resource", held.resourceId],
      ["hot-added-disk", held.device.proxyDiskId],
      ["snapshot", held.snapshotId],
    ].sort(),
  );
  expect(dry.plan.every((l) => l.sessionId === held.sessionId)).toBe(true);
  expect(server.state().backupResources.map((r) => r.id)).toContain(held.resourceId); // a dry run changes nothing

  const swept = await sweepBackupLeftovers(scp, { ...FAST, stateDir: dir });
  const ids = (list: { kind: string; id: string }[]) => list.map((l) => `${l.kind} ${l.id}`);
  expect(ids(swept.removed)).toEqual(ids(dry.plan));
  expect(swept.remaining).toEqual([]);
  const state = server.state();
  expect(state.backupResources.map((r) => r.id)).toEqual([otherLock.resourceId]);
  expect(
    Object.values(state.hotAddedDisks)
      .flat()
      .map((d) => d.serial),
  ).toEqual([other.disks[0]?.serial]);
  expect(state.snapshots.filter((s) => s.server_id === lab.vms.running).map((s) => s.id)).toEqual([
    userSnapshot.snapshotId,
  ]);

  const again = await sweepBackupLeftovers(scp, { ...FAST, stateDir: dir });
  expect(again).toEqual({ plan: [], removed: [], remaining: [] });
}, 60_000);

test("a session still open in this process is not swept", async () => {
  const { openBackupSession } = await import("../../src/index.js");
  const dir = stateDir();
  const session = await openBackupSession(scp, { serverId: lab.vms.otherPool }, { ...FAST, stateDir: dir });
  expect(await sweepBackupLeftovers(scp, { ...FAST, stateDir: dir })).toEqual({ plan: [], removed: [], remaining: [] });
  expect(server.state().backupResources.map((r) => r.id)).toContain(session.resourceId);
  await session.close();
});
