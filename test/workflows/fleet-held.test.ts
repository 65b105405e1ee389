// A fleet proxy holding another VM's disk (a backup or restore in progress) is reported, and neither destroy nor
// prune deletes it unless forced; forced, the disks are removed first.
import { expect, test } from "vitest";
import {
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  findBackupProxies,
  ScpPreflightError,
} from "../../src/index.js";
import type { ScpSimulatorBackupLab } from "../../src/simulator/index.js";
import { FAST } from "../support/sim.js";
import { fleet, useVmaFile, withProxyImage } from "./fleet-env.js";

const vma = useVmaFile();

/** A one-proxy fleet in the first pool whose proxy holds a restore disk of a lab VM. */
async function holdingFleet() {
  const env = await withProxyImage(vma.path, { backupLab: true, serverCount: 0 });
  const { scp, poolA, imageId } = env;
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  const [proxy] = await findBackupProxies(scp, { fleetId: "acme" });
  const lab = env.sim.lab as ScpSimulatorBackupLab;
  const held = await scp.hotAdd.attach(proxy?.serverId as string, [
    { serverId: lab.vms.stopped, diskId: "virtio0", application: "restore" },
  ]);
  await scp.tasks.wait(held, FAST);
  return { ...env, lab, proxyId: proxy?.serverId as string };
}

test("the inventory reports the disks each proxy holds, when asked", async () => {
  const { scp, lab, proxyId } = await holdingFleet();
  const [proxy] = await findBackupProxies(scp, { fleetId: "acme", includeHeldDisks: true });
  expect(proxy?.heldDisks).toEqual([
    expect.objectContaining({ serverId: lab.vms.stopped, diskId: "virtio0", application: "restore" }),
  ]);
  const [plain] = await findBackupProxies(scp, { fleetId: "acme" });
  expect(plain?.serverId).toBe(proxyId);
  expect(plain?.heldDisks).toBeUndefined();
});

test("destroy refuses a proxy that holds a disk before any change; a dry run shows it; force removes the disk first", async () => {
  const { scp, sim, lab, proxyId, mutations } = await holdingFleet();
  const before = mutations().length;
  const error = await destroyBackupProxyFleet(scp, { fleetId: "acme" }, FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(error.message).toContain(`virtio0 of VM ${lab.vms.stopped} (restore)`);
  const dry = await destroyBackupProxyFleet(scp, { fleetId: "acme" }, { dryRun: true });
  expect(dry.targets[0]?.heldDisks).toHaveLength(1);
  expect(mutations().length).toBe(before);
  const done = await destroyBackupProxyFleet(scp, { fleetId: "acme" }, { ...FAST, force: true });
  expect(done.removed).toEqual([proxyId]);
  expect(sim.state().hotAddedDisks).toEqual({});
  expect(sim.state().servers.some((s) => s.id === lab.vms.stopped)).toBe(true);
});

test("prune refuses a surplus proxy that holds a disk unless forced", async () => {
  const { scp, sim, poolA, imageId, proxyId, mutations } = await holdingFleet();
  const before = mutations().length;
  const none = fleet(imageId, { [poolA]: 0 });
  const error = await deployBackupProxyFleet(scp, none, { ...FAST, prune: true }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(mutations().length).toBe(before);
  const pruned = await deployBackupProxyFleet(scp, none, { ...FAST, prune: true, force: true });
  expect(pruned.removed).toEqual([proxyId]);
  expect(sim.state().hotAddedDisks).toEqual({});
});
