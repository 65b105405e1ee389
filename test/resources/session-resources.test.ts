// The resource groups sessions are built on, against the simulator and, for the overridable hot-add wire, msw.
import { http } from "msw";
import { expect, test } from "vitest";
import { ScpNotFoundError, ScpValidationError } from "../../src/index.js";
import type { ScpSimulatorBackupLab } from "../../src/simulator/index.js";
import { testClient } from "../support/client.js";
import { BASE, useMsw, v1, v2 } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";
import { FAST, simulated } from "../support/sim.js";

const server = useMsw();

function labClient() {
  const env = simulated({ serverCount: 0, backupLab: true });
  return { ...env, lab: env.sim.lab as ScpSimulatorBackupLab };
}

test("snapshots are taken, listed with quiesced, read with checkpoint and vmconf, reverted and deleted", async () => {
  const { scp, sim, lab } = labClient();
  const vm = lab.vms.running;
  await scp.tasks.wait(await scp.cbt.enable(vm, ["virtio0"]), FAST);
  expect((await scp.cbt.status(vm)).disks).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: "virtio0", is_enabled: true })]),
  );
  const first = await scp.snapshots.create(vm, { name: "one", description: "mine" });
  await scp.tasks.wait(first, FAST);
  const second = await scp.snapshots.create(vm, { name: "two" });
  await scp.tasks.wait(second, FAST);
  const list = await scp.snapshots.list(vm);
  expect(list.map((s) => [s.name, s.quiesced])).toEqual([
    ["one", 1],
    ["two", 1],
  ]);
  const detail = await scp.snapshots.get(vm, second.snapshotId);
  expect(Number(detail.checkpoint_id)).toBeGreaterThan(0);
  expect(detail.vmconf.hardware_option?.disks?.map((d) => d.id)).toEqual(["virtio0", "virtio1"]);
  await scp.tasks.wait(await scp.snapshots.revert(vm, first.snapshotId, { powerOn: true }), FAST);
  expect(sim.state().cbt[vm]?.expired).toBe(true);
  await scp.tasks.wait(await scp.cbt.reset(vm), FAST);
  expect(sim.state().cbt[vm]?.expired).toBe(false);
  const deleted = await scp.snapshots.delete(vm, first.snapshotId);
  // In-process, a 204's body never arrives (over the wire it may): then there is no task to wait for.
  await (deleted.taskId && scp.tasks.wait(deleted.taskId, FAST));
  await scp.tasks.wait(await scp.snapshots.deleteMany(vm, [second.snapshotId]), FAST);
  expect(await scp.snapshots.list(vm)).toEqual([]);
  await expect(scp.snapshots.get(vm, first.snapshotId)).rejects.toBeInstanceOf(ScpNotFoundError);
});

test("a backup resource's lock is given in whole seconds of 1 min to 2 h, read with remain_time, renewed and released", async () => {
  const { scp, lab, mutations, sim } = labClient();
  for (const lockTimeMs of [59_000, 7_201_000, 60_500]) {
    const error = await scp.backupResources
      .create({ serverId: lab.vms.running, type: "backup", lockTimeMs })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ScpValidationError);
  }
  expect(mutations()).toEqual([]);
  const ref = await scp.backupResources.create({ serverId: lab.vms.running, type: "backup", lockTimeMs: 90_000 });
  await scp.tasks.wait(ref, FAST);
  const read = await scp.backupResources.get(ref.resourceId);
  expect(read).toMatchObject({ server_id: lab.vms.running, status: "running" });
  expect(read.remain_time).toBeGreaterThan(85);
  expect(read.remain_time).toBeLessThanOrEqual(90);
  expect(ref.hostId).toBe(read.host_id);
  await scp.tasks.wait(await scp.backupResources.renew(ref.resourceId, { lockTimeMs: 600_000 }), FAST);
  expect((await scp.backupResources.get(ref.resourceId)).remain_time).toBeGreaterThan(590);
  expect((await scp.backupResources.supports(lab.vms.running)).transport_modes).toContain("hotadd");
  const released = await scp.backupResources.delete(ref.resourceId);
  await scp.tasks.wait(released.taskId as string, FAST);
  expect(sim.state().backupResources).toEqual([]);
});

test("hot-add attaches a snapshot's clone, lists it on the proxy with its source, and detaches it", async () => {
  const { scp, lab, sim } = labClient();
  const vm = lab.vms.running;
  const proxy = lab.proxies[sim.poolIds[0] as string] as string;
  const snap = await scp.snapshots.create(vm, { name: "s" });
  await scp.tasks.wait(snap, FAST);
  const added = await scp.hotAdd.attach(proxy, [
    { serverId: vm, diskId: "virtio1", snapshotId: snap.snapshotId, application: "backup" },
  ]);
  await scp.tasks.wait(added, FAST);
  const [disk] = added.disks;
  expect(disk).toMatchObject({ serverId: vm, diskId: "virtio1", snapshotId: snap.snapshotId, application: "backup" });
  expect(await scp.hotAdd.attached(proxy)).toEqual([{ ...disk, application: "backup" }]);
  await scp.tasks.wait(await scp.hotAdd.detach(proxy, [disk?.proxyDiskId as string]), FAST);
  expect(await scp.hotAdd.attached(proxy)).toEqual([]);
  const bad = await scp.hotAdd
    .attach(proxy, [{ serverId: vm, diskId: "virtio1", application: "backup" }])
    .catch((e) => e);
  expect(bad).toBeInstanceOf(ScpValidationError);
});

test("the hot-add wire can be overridden per client: path, body and answer", async () => {
  const seen: { path: string; body: unknown }[] = [];
  server.use(
    http.get(`${BASE}/janus/20180725/system/version`, () => v1({ build_version: "SCP6.11.3B" })),
    http.post(`${BASE}/janus/20250101/proxies/:id/volumes`, async ({ request }) => {
      seen.push({ path: new URL(request.url).pathname, body: await request.json() });
      return v2({ task: "t-1", volumes: [{ slot: "virtio7", sn: "abc123" }] });
    }),
  );
  const scp = testClient({
    hotAdd: {
      attachPath: "/janus/20250101/proxies/{server_id}/volumes",
      attachBody: (disks) => ({ volumes: disks.map((d) => ({ vm: d.serverId, disk: d.diskId, snap: d.snapshotId })) }),
      readAttachAnswer: (data) => {
        const d = data as { task: string; volumes: { slot: string; sn: string }[] };
        const disks = d.volumes.map((v) => ({
          ...{ proxyDiskId: v.slot, serial: v.sn, serverId: "vm-1", diskId: "virtio0" },
          ...{ snapshotId: "s-1", application: undefined },
        }));
        return { taskId: d.task, disks };
      },
    },
  });
  const ref = await scp.hotAdd.attach("proxy-1", [
    { serverId: "vm-1", diskId: "virtio0", snapshotId: "s-1", application: "backup" },
  ]);
  expect(seen).toEqual([
    {
      path: "/janus/20250101/proxies/proxy-1/volumes",
      body: { volumes: [{ vm: "vm-1", disk: "virtio0", snap: "s-1" }] },
    },
  ]);
  expect(ref).toEqual({
    taskId: "t-1",
    disks: [
      {
        proxyDiskId: "virtio7",
        serial: "abc123",
        serverId: "vm-1",
        diskId: "virtio0",
        snapshotId: "s-1",
        application: "backup",
      },
    ],
  });
  expect(() => testClient({ hotAdd: { detachPath: "https://elsewhere/x" } })).toThrow(ScpValidationError);
});

test("a gated call's bad options, or the reserved snapshot name, are refused before the version read: nothing is sent", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  const refusals: (() => Promise<unknown>)[] = [
    () => scp.snapshots.list("vm-1", { timeoutMs: 0 }),
    () => scp.cbt.reset("vm-1", { clientToken: "a b" }),
    () => scp.backupResources.get("r-1", { retry: { retries: -1 } }),
    () => scp.hotAdd.detach("p-1", ["virtio3"], "fast" as never),
    () => scp.servers.createFromConfig({ az_id: "az-1" }, { timeoutMs: 1.5 }),
    () => scp.snapshots.create("vm-1", { name: " current " }),
  ];
  for (const call of refusals) {
    await expect(call()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toEqual([]);
});
