// Restore sessions: what they refuse, what an uncommitted one undoes, what a committed one leaves.
import { expect, test } from "vitest";
import {
  openBackupSession,
  openRestoreSession,
  type ScpClient,
  ScpPreflightError,
  ScpStateError,
  ScpValidationError,
} from "../../src/index.js";
import { testClient } from "../support/client.js";
import { scriptedFetch } from "../support/scripted-fetch.js";
import { FAST } from "../support/sim.js";
import { lab, stateDir } from "./session-env.js";

test("a running VM is refused in words, and bad input before any request", async () => {
  const { scp, lab: l, opts, mutations, calls } = lab();
  const error = await openRestoreSession(scp, { serverId: l.vms.running }, opts).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(error.checks.find((c: { ok: boolean }) => !c.ok)).toEqual({
    name: "powered off",
    ok: false,
    detail: "it is running; shut it down first",
  });
  const before = calls.length;
  for (const input of [{}, { serverId: l.vms.stopped, newServer: { vmconf: {}, azId: "a" } }]) {
    await expect(openRestoreSession(scp, input, opts)).rejects.toBeInstanceOf(ScpValidationError);
  }
  const differentialIntoNew = { newServer: { vmconf: {}, azId: "a" }, sinceCheckpointId: 3 };
  await expect(openRestoreSession(scp, differentialIntoNew, opts)).rejects.toBeInstanceOf(ScpValidationError);
  expect(calls.length).toBe(before);
  expect(mutations()).toEqual([]);
});

test("an uncommitted restore into a new VM deletes the VM when it closes; a committed one keeps it and powers it on", async () => {
  const { scp, sim, lab: l, opts, poolA } = lab();
  const backup = await openBackupSession(scp, { serverId: l.vms.stopped }, opts);
  const vmconf = backup.snapshot.vmconf;
  await backup.close();
  const abandoned = await openRestoreSession(scp, { newServer: { vmconf, azId: poolA, name: "r1" } }, opts);
  expect(abandoned.created).toBe(true);
  expect(abandoned.disks.map((d) => d.id)).toEqual(["virtio0"]);
  await expect(async () => {
    for await (const _ of abandoned.changedAreas("virtio0")) {
      // not a differential restore: nothing to list
    }
  }).rejects.toBeInstanceOf(ScpStateError);
  await abandoned.attach("virtio0");
  await abandoned.close();
  expect(sim.state().servers.some((s) => s.id === abandoned.serverId)).toBe(false);

  const kept = await openRestoreSession(scp, { newServer: { vmconf, azId: poolA, name: "r2" }, powerOn: true }, opts);
  const device = await kept.attach("virtio0");
  sim.guest.writeDevice(device.proxyId, device.serial, 0, new Uint8Array(512).fill(1));
  await kept.commit();
  await kept.close();
  const vm = sim.state().servers.find((s) => s.id === kept.serverId);
  expect(vm?.status).toBe("running");
  expect(sim.disks.read(kept.serverId, "virtio0", 0, 2)).toEqual(new Uint8Array([1, 1]));
  expect(sim.state().backupResources).toEqual([]);
  expect(sim.state().hotAddedDisks).toEqual({});
  await scp.tasks.wait(await scp.servers.stop(kept.serverId, { force: true }), FAST);
});

test("a client that is not one is refused before any request, not with a TypeError", async () => {
  const fetch = scriptedFetch([]);
  const broken = { ...testClient({ fetch }), system: undefined } as unknown as ScpClient;
  const error = await openRestoreSession(broken, { serverId: "vm-1" }, { stateDir: stateDir() }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.subject).toBe("openRestoreSession client");
  expect(fetch.requests).toEqual([]);
});
