// A session killed mid-way (SIGKILL in a child process) leaves a hot-added disk, a lock and a snapshot; the sweep
// finds them from the journal, removes exactly them, and touches nothing that is not the session's.
import { fork } from "node:child_process";
import { expect, test } from "vitest";
import { type ScpClient, ScpValidationError, sweepBackupLeftovers } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { scriptedFetch } from "../support/scripted-fetch.js";
import { FAST } from "../support/sim.js";
import { stateDir, useHttpsLab } from "./session-env.js";

const env = useHttpsLab();

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
      SIM_URL: env.server.url,
      SIM_CA: env.server.ca,
      SIM_AK: env.server.credentials.accessKey,
      SIM_SK: env.server.credentials.secretKey,
      SERVER_ID: env.lab.vms.running,
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
  const userSnapshot = await env.scp.snapshots.create(env.lab.vms.running, { name: "before-upgrade" });
  await env.scp.tasks.wait(userSnapshot, FAST);
  const other = await env.scp.hotAdd.attach(proxy, [
    { serverId: env.lab.vms.stopped, diskId: "virtio0", application: "restore" },
  ]);
  await env.scp.tasks.wait(other, FAST);
  const otherLock = await env.scp.backupResources.create({
    serverId: env.lab.vms.noVmtools,
    type: "backup",
    lockTimeMs: 600_000,
  });
  await env.scp.tasks.wait(otherLock, FAST);

  const dry = await sweepBackupLeftovers(env.scp, { ...FAST, stateDir: dir, dryRun: true });
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
  expect(env.server.state().backupResources.map((r) => r.id)).toContain(held.resourceId); // a dry run changes nothing

  const swept = await sweepBackupLeftovers(env.scp, { ...FAST, stateDir: dir });
  const ids = (list: { kind: string; id: string }[]) => list.map((l) => `${l.kind} ${l.id}`);
  expect(ids(swept.removed)).toEqual(ids(dry.plan));
  expect(swept.remaining).toEqual([]);
  const state = env.server.state();
  expect(state.backupResources.map((r) => r.id)).toEqual([otherLock.resourceId]);
  expect(
    Object.values(state.hotAddedDisks)
      .flat()
      .map((d) => d.serial),
  ).toEqual([other.disks[0]?.serial]);
  expect(state.snapshots.filter((s) => s.server_id === env.lab.vms.running).map((s) => s.id)).toEqual([
    userSnapshot.snapshotId,
  ]);

  const again = await sweepBackupLeftovers(env.scp, { ...FAST, stateDir: dir });
  expect(again).toEqual({ plan: [], removed: [], remaining: [] });
}, 60_000);

test("a session still open in this process is not swept", async () => {
  const { openBackupSession } = await import("../../src/index.js");
  const dir = stateDir();
  const session = await openBackupSession(env.scp, { serverId: env.lab.vms.otherPool }, { ...FAST, stateDir: dir });
  expect(await sweepBackupLeftovers(env.scp, { ...FAST, stateDir: dir })).toEqual({
    plan: [],
    removed: [],
    remaining: [],
  });
  expect(env.server.state().backupResources.map((r) => r.id)).toContain(session.resourceId);
  await session.close();
});

test("a client that is not one is refused, not taken as a platform with nothing left behind", async () => {
  const fetch = scriptedFetch([]);
  const broken = { ...testClient({ fetch }), tasks: undefined } as unknown as ScpClient;
  const error = await sweepBackupLeftovers(broken, { stateDir: stateDir() }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.subject).toBe("sweepBackupLeftovers client");
  expect(fetch.requests).toEqual([]);
});
