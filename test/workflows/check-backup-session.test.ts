// checkBackupSession: openBackupSession's checks and proxy choice, reading only.
import { expect, test } from "vitest";
import { checkBackupSession, openBackupSession, ScpPreflightError, ScpValidationError } from "../../src/index.js";
import { lab } from "./session-env.js";

test("a VM a session can back up: every check passed, the proxy it would use, and nothing changed", async () => {
  const { scp, lab: l, proxyA, mutations } = lab();
  const result = await checkBackupSession(scp, { serverId: l.vms.running });
  expect(result.proxy.serverId).toBe(proxyA);
  expect(result.checks.every((c) => c.ok)).toBe(true);
  expect(result.checks.map((c) => c.name)).toContain("a ready proxy with a free slot");
  expect(result.warnings).toEqual(["CBT is off on virtio0, virtio1: the session turns it on"]);
  expect(mutations()).toEqual([]);
});

test("every VM the lab refuses is refused with the same failed checks openBackupSession gives, unchanged", async () => {
  const { scp, lab: l, opts, mutations } = lab();
  const failed = (error: unknown) => (error as ScpPreflightError).checks.filter((c) => !c.ok);
  for (const serverId of Object.values(l.refusals)) {
    const checked = await checkBackupSession(scp, { serverId }).catch((e) => e);
    const opened = await openBackupSession(scp, { serverId }, opts).catch((e) => e);
    expect(checked, serverId).toBeInstanceOf(ScpPreflightError);
    expect(opened, serverId).toBeInstanceOf(ScpPreflightError);
    expect(failed(checked), serverId).toEqual(failed(opened));
  }
  const incremental = await checkBackupSession(scp, { serverId: l.vms.running, sinceCheckpointId: 2 }).catch((e) => e);
  expect(failed(incremental).map((c) => c.detail)).toEqual(["off on virtio0, virtio1: take a full backup instead"]);
  expect(mutations()).toEqual([]);
});

test("bad input is refused before any request", async () => {
  const { scp, lab: l, calls } = lab();
  const before = calls.length;
  for (const input of [
    { serverId: "" },
    { serverId: l.vms.running, sinceCheckpointId: -1 },
    { serverId: l.vms.running, lockTimeMs: 60_000 },
  ]) {
    await expect(checkBackupSession(scp, input as never)).rejects.toBeInstanceOf(ScpValidationError);
  }
  await expect(checkBackupSession({} as never, { serverId: l.vms.running })).rejects.toBeInstanceOf(ScpValidationError);
  expect(calls.length).toBe(before);
});
