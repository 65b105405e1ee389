import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { expect, test, vi } from "vitest";
import {
  type BackupSession,
  collect,
  openBackupSession,
  ScpCbtExpiredError,
  type ScpClient,
  ScpPreflightError,
  ScpStateError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../src/index.js";
import { testClient } from "../support/client.js";
import { scriptedFetch } from "../support/scripted-fetch.js";
import { FAST } from "../support/sim.js";
import { backUpDisk, lab, sha256, stateDir } from "./session-env.js";

test("a full backup reads exactly the snapshot's bytes, and closing leaves nothing behind", async () => {
  const { scp, sim, lab: l, opts } = lab();
  const session = await openBackupSession(scp, { serverId: l.vms.running }, opts);
  expect(session.disks.map((d) => d.id)).toEqual(["virtio0", "virtio1"]);
  sim.disks.write(l.vms.running, "virtio1", 0, new Uint8Array(4096).fill(7)); // after the snapshot: not in it
  const { image } = await backUpDisk(sim, session, "virtio1");
  expect(sha256(image)).toBe(sim.disks.sha256(l.vms.running, "virtio1", { snapshotId: session.snapshot.id }));
  const commit = await session.commit();
  expect(commit.checkpointId).toBeGreaterThan(0);
  await session.close();
  const state = sim.state();
  expect(state.backupResources).toEqual([]);
  expect(state.hotAddedDisks).toEqual({});
  expect(state.snapshots.filter((s) => s.server_id === l.vms.running)).toEqual([]);
});

test("`await using` closes the session at the end of the block, and a second close does nothing", async () => {
  const { scp, sim, lab: l, opts } = lab();
  let kept: BackupSession | undefined;
  {
    await using session = await openBackupSession(scp, { serverId: l.vms.running }, opts);
    kept = session;
    await session.attach("virtio0");
    expect(sim.state().backupResources).toHaveLength(1);
  }
  expect(sim.state().backupResources).toEqual([]);
  expect(sim.state().hotAddedDisks).toEqual({});
  await kept?.close();
  await expect(kept?.attach("virtio1")).rejects.toBeInstanceOf(ScpStateError);
});

test("an older platform and bad input are refused before any request changes anything", async () => {
  const { scp, sim, lab: l, opts, mutations } = lab();
  for (const input of [
    { serverId: l.vms.running, lockTimeMs: 30_000 },
    { serverId: l.vms.running, sinceCheckpointId: 3, resetCbt: true },
  ]) {
    await expect(openBackupSession(scp, input, opts)).rejects.toBeInstanceOf(ScpValidationError);
  }
  await expect(
    openBackupSession(scp, { serverId: l.vms.running }, { ...opts, renewMarginMs: 600_000 }),
  ).rejects.toBeInstanceOf(ScpValidationError);
  sim.faults.setScpVersion("6.11.1");
  const error = await openBackupSession(scp, { serverId: l.vms.running }, opts).catch((e) => e);
  expect(error).toBeInstanceOf(ScpUnsupportedVersionError);
  expect(mutations()).toEqual([]);
});

test("an incremental on a disk without CBT is refused; a snapshot that is not quiesced is refused when asked for", async () => {
  const { scp, sim, lab: l, opts } = lab();
  const error = await openBackupSession(scp, { serverId: l.vms.running, sinceCheckpointId: 5 }, opts).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(error.checks.find((c: { ok: boolean }) => !c.ok).detail).toBe(
    "off on virtio0, virtio1: take a full backup instead",
  );
  const loud = await openBackupSession(scp, { serverId: l.vms.noVmtools, quiesce: true }, opts).catch((e) => e);
  expect(loud).toBeInstanceOf(ScpWorkflowError);
  expect(loud).toMatchObject({ step: "read-snapshot", leftovers: [] });
  expect(loud.cause.message).toContain("not quiesced");
  expect(sim.state().snapshots.filter((s) => s.server_id === l.vms.noVmtools)).toEqual([]);
  expect(sim.state().backupResources).toEqual([]);
});

test("after a revert CBT has expired: the areas say so in a typed error; resetCbt makes the next full work", async () => {
  const { scp, lab: l, opts } = lab();
  const first = await openBackupSession(scp, { serverId: l.vms.running, keepSnapshot: true }, opts);
  await first.close();
  await scp.tasks.wait(await scp.snapshots.revert(l.vms.running, first.snapshot.id), FAST);
  const expired = await openBackupSession(scp, { serverId: l.vms.running }, opts);
  const error = await collect(expired.changedAreas("virtio0"), { limit: 10 }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpCbtExpiredError);
  await expired.close();
  const reset = await openBackupSession(scp, { serverId: l.vms.running, resetCbt: true }, opts);
  expect((await collect(reset.changedAreas("virtio0"), { limit: 100 })).length).toBeGreaterThan(0);
  await reset.close();
  await scp.tasks.wait(await scp.snapshots.deleteMany(l.vms.running, [first.snapshot.id]), FAST);
});

test("aborting the caller's signal ends an open session like a lost lock; closing still cleans up", async () => {
  const { scp, sim, lab: l, opts } = lab();
  const controller = new AbortController();
  const session = await openBackupSession(scp, { serverId: l.vms.running }, { ...opts, signal: controller.signal });
  const reason = new Error("operator stopped the job");
  controller.abort(reason);
  expect(session.signal.aborted).toBe(true);
  await expect(session.attach("virtio0")).rejects.toBe(reason);
  await session.close();
  expect(sim.state().backupResources).toEqual([]);
});

test("the journal lives under SCP_SDK_STATE_DIR, else the user's cache dir, in a folder per platform, while the session holds things", async () => {
  const { scp, lab: l } = lab();
  const journals = (root: string) =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)));
  const viaEnv = stateDir();
  vi.stubEnv("SCP_SDK_STATE_DIR", viaEnv);
  const one = await openBackupSession(scp, { serverId: l.vms.running }, FAST);
  const [held] = journals(viaEnv);
  expect(held?.split(sep)).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/), `${one.id}.json`]);
  await one.close();
  expect(journals(viaEnv)).toEqual([]);
  const cache = stateDir();
  vi.stubEnv("SCP_SDK_STATE_DIR", "");
  vi.stubEnv("XDG_CACHE_HOME", cache);
  const two = await openBackupSession(scp, { serverId: l.vms.running }, FAST);
  const [file] = journals(cache);
  expect(file?.split(sep).slice(0, 2)).toEqual(["sangfor-scp-sdk", "sessions"]);
  expect(file?.endsWith(`${two.id}.json`)).toBe(true);
  const record = JSON.parse(readFileSync(join(cache, file as string), "utf8"));
  expect(record).toMatchObject({ sessionId: two.id, kind: "backup", pid: process.pid });
  expect(record.items.map((i: { kind: string; state: string }) => `${i.kind} ${i.state}`).sort()).toEqual([
    "backup-resource held",
    "snapshot held",
  ]);
  await two.close();
  expect(journals(cache)).toEqual([]);
  vi.unstubAllEnvs();
});

test("a client without its system group is refused as such before any request, not with a TypeError", async () => {
  const fetch = scriptedFetch([]);
  const broken = { ...testClient({ fetch }), system: undefined } as unknown as ScpClient;
  const error = await openBackupSession(broken, { serverId: "vm-1" }, { stateDir: stateDir() }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.subject).toBe("openBackupSession client");
  expect(fetch.requests).toEqual([]);
});

test("a client missing a group only sessions use is refused before any request, not after turning CBT on", async () => {
  for (const group of ["snapshots", "cbt", "backupResources", "hotAdd"]) {
    const fetch = scriptedFetch([]);
    const broken = { ...testClient({ fetch }), [group]: undefined } as unknown as ScpClient;
    const error = await openBackupSession(broken, { serverId: "vm-1" }, { stateDir: stateDir() }).catch((e) => e);
    expect(error, group).toBeInstanceOf(ScpValidationError);
    expect(fetch.requests, group).toEqual([]);
  }
});
