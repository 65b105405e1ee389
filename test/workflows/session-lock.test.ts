// Lock renewal on the simulator's clock: minutes of lock time pass in steps the test takes, never in real time.
import { expect, test } from "vitest";
import { openBackupSession, ScpSessionLostError } from "../../src/index.js";
import { fakeClock } from "../support/fake-clock.js";
import { lab } from "./session-env.js";

const LOCK_MS = 60_000;

function clocked() {
  const time = fakeClock();
  const env = lab({ clock: time.now });
  return { ...env, time, opts: { ...env.opts, clock: time.clock } };
}

const renewals = (calls: { method: string; path: string }[]) =>
  calls.filter((c) => c.method === "PUT" && c.path.startsWith("/janus/20180725/backup-resources/")).length;

test("the session renews its lock on its own across three lock periods and stays usable", async () => {
  const { scp, sim, lab: l, time, calls, opts } = clocked();
  const session = await openBackupSession(scp, { serverId: l.vms.running, lockTimeMs: LOCK_MS }, opts);
  const start = time.now();
  while (time.now() - start < 3.5 * LOCK_MS) {
    await time.step(session.signal);
  }
  expect(session.signal.aborted).toBe(false);
  expect(renewals(calls)).toBeGreaterThanOrEqual(3);
  const [lock] = sim.state().backupResources;
  expect(lock?.remain_time).toBeGreaterThan(0);
  const device = await session.attach("virtio0");
  expect(device.serial).toMatch(/^[0-9a-f]{20}$/);
  await session.commit();
  await session.close();
  expect(sim.state().backupResources).toEqual([]);
  expect(sim.state().hotAddedDisks).toEqual({});
});

test("renewals that keep failing end the session with a typed error, and closing still removes everything", async () => {
  const { scp, sim, lab: l, time, opts } = clocked();
  const session = await openBackupSession(scp, { serverId: l.vms.running, lockTimeMs: LOCK_MS }, opts);
  await session.attach("virtio1");
  sim.faults.add({ kind: "error", match: "PUT /janus/20180725/backup-resources/*", status: 500 });
  for (let i = 0; i < 500 && !session.signal.aborted; i++) {
    await time.step(session.signal);
  }
  expect(session.signal.aborted).toBe(true);
  const lost = session.signal.reason;
  expect(lost).toBeInstanceOf(ScpSessionLostError);
  expect(lost).toMatchObject({ reason: "renewal-failed", sessionId: session.id });
  expect(lost.message).toContain("every renewal failed");
  await expect(session.attach("virtio0")).rejects.toBe(lost);
  await expect(session.commit()).rejects.toBe(lost);
  await session.close();
  const state = sim.state();
  expect(state.hotAddedDisks).toEqual({});
  expect(state.backupResources).toEqual([]);
  expect(state.snapshots.filter((s) => s.server_id === l.vms.running)).toEqual([]);
});

test("a lock released by someone else ends the session as released", async () => {
  const { scp, lab: l, time, opts } = clocked();
  const session = await openBackupSession(scp, { serverId: l.vms.running, lockTimeMs: LOCK_MS }, opts);
  await time.untilSleeping();
  await scp.backupResources.delete(session.resourceId as string);
  for (let i = 0; i < 50 && !session.signal.aborted; i++) {
    await time.step(session.signal);
  }
  expect(session.signal.reason).toMatchObject({ name: "ScpSessionLostError", reason: "released" });
  await expect(session.commit()).rejects.toBeInstanceOf(ScpSessionLostError);
  await session.close();
});
