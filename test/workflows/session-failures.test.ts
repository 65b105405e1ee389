// Sessions that fail while opening or closing: a named step, what remains, and what a sweep can still do.
import { expect, test } from "vitest";
import {
  openBackupSession,
  ScpPreflightError,
  ScpSessionCleanupError,
  ScpWorkflowError,
  sweepBackupLeftovers,
} from "../../src/index.js";
import { lab } from "./session-env.js";

test("a lock whose create answer was lost fails the open at 'lock', and the sweep says when it expires", async () => {
  const { scp, sim, lab: l, opts } = lab();
  sim.faults.add({ kind: "apply-then-drop", match: "POST /janus/20180725/backup-resources", count: 1 });
  const before = Date.now();
  const error = await openBackupSession(scp, { serverId: l.vms.running, lockTimeMs: 120_000 }, opts).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.step).toBe("lock");
  expect(error.leftovers).toEqual([{ kind: "backup-resource", id: "(unknown)", state: "remains" }]);
  expect(sim.state().snapshots.filter((s) => s.server_id === l.vms.running)).toEqual([]);
  const swept = await sweepBackupLeftovers(scp, opts);
  expect(swept.plan).toEqual([]);
  expect(swept.remaining).toEqual([
    expect.objectContaining({ kind: "backup-resource", serverId: l.vms.running, id: "(unknown)" }),
  ]);
  const expires = Date.parse(swept.remaining[0]?.expiresAt ?? "");
  expect(expires).toBeGreaterThanOrEqual(before + 120_000 - 1000);
  expect(expires).toBeLessThanOrEqual(Date.now() + 120_000);
});

test("every refusal of the checks comes at once, in words, before any change", async () => {
  const { scp, lab: l, opts, mutations } = lab();
  for (const [vm, failing] of [
    [l.refusals.turboMode, "turbo mode off"],
    [l.refusals.notVm, "an ordinary VM"],
    [l.refusals.deskRevertMode, "not a desktop that reverts at each start"],
    [l.refusals.internalSnapshot, "no internal (qcow2) snapshots"],
    [l.refusals.backupProxy, "not a backup proxy"],
  ] as const) {
    const error = await openBackupSession(scp, { serverId: vm }, opts).catch((e) => e);
    expect(error).toBeInstanceOf(ScpPreflightError);
    expect(error.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name)).toContain(failing);
  }
  expect(mutations()).toEqual([]);
});

test("a snapshot that cannot be deleted at close is listed in a typed error whose cause is the session's first error", async () => {
  const { scp, sim, lab: l, opts } = lab();
  const session = await openBackupSession(scp, { serverId: l.vms.running }, { ...opts, cleanupMaxWaitMs: 2_000 });
  sim.faults.add({ kind: "error", match: "DELETE /janus/20180725/servers/*/snapshots/*", status: 500 });
  sim.faults.add({ kind: "task-failure", match: "POST /janus/20240725/servers/*/disks", count: 1 });
  const attachError = await session.attach("virtio0").catch((e) => e);
  const error = await session.close().catch((e) => e);
  expect(error).toBeInstanceOf(ScpSessionCleanupError);
  expect(error.leftovers).toEqual([
    expect.objectContaining({ kind: "snapshot", id: session.snapshot.id, serverId: l.vms.running }),
  ]);
  expect(error.cause).toBe(attachError);
  expect(sim.state().backupResources).toEqual([]);
  expect(sim.state().hotAddedDisks).toEqual({});
  sim.faults.clear();
  const swept = await sweepBackupLeftovers(scp, opts);
  expect(swept.removed.map((r) => r.id)).toEqual([session.snapshot.id]);
});
