import { describe, expect, it } from "vitest";
import { backupSetup, KIB, MIB, pattern, S18, TASK_MS } from "./backup-support.js";
import { createVmFromImage } from "./support.js";

describe("snapshots", () => {
  it("freeze content copy-on-write: later writes change the live disk, not the snapshot", async () => {
    const { sim, call, lab, snapshot } = backupSetup();
    const vm = lab.vms.running;
    const seeded = sim.disks.sha256(vm, "virtio0");
    sim.disks.write(vm, "virtio0", MIB, pattern(1, 100 * KIB));
    const beforeSnapshot = sim.disks.sha256(vm, "virtio0");
    expect(beforeSnapshot).not.toBe(seeded);
    const first = await snapshot(vm, "first");
    expect(sim.disks.sha256(vm, "virtio0", { snapshotId: first })).toBe(beforeSnapshot);

    sim.disks.write(vm, "virtio0", MIB + 50 * KIB, pattern(2, 100 * KIB));
    const afterWrite = sim.disks.sha256(vm, "virtio0");
    expect(afterWrite).not.toBe(beforeSnapshot);
    expect(sim.disks.sha256(vm, "virtio0", { snapshotId: first })).toBe(beforeSnapshot);
    expect(sim.disks.read(vm, "virtio0", MIB + 50 * KIB, 16)).toEqual(pattern(2, 16));
    const second = await snapshot(vm, "second");
    expect(sim.disks.sha256(vm, "virtio0", { snapshotId: second })).toBe(afterWrite);

    const list = await call("GET", `/janus/20210725/servers/${vm}/snapshots`);
    expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([first, second]);
    expect(list.body.data[1]).toMatchObject({ parent_id: first, is_latest: 1, quiesced: 1, type: "VS" });
    expect(list.body.data[0].is_latest).toBe(0);
  });

  it("reads unwritten blocks as zeros and keeps a 64 GiB disk sparse", async () => {
    const { sim, call, lab, finish, snapshot } = backupSetup();
    const created = await createVmFromImage(call, sim.poolIds[0] ?? "", [{ id: "virtio0", size_mb: 64 * 1024 }]);
    await finish(created);
    const vm = created.body.data.uuids[0];
    const end = 64 * 1024 * MIB;
    sim.disks.write(vm, "virtio0", end - 4, Uint8Array.of(1, 2, 3, 4));
    const snap = await snapshot(vm);
    sim.disks.write(vm, "virtio0", end - 4, Uint8Array.of(9, 9, 9, 9));
    expect(sim.disks.read(vm, "virtio0", end - 8, 8)).toEqual(Uint8Array.of(0, 0, 0, 0, 9, 9, 9, 9));
    expect(() => sim.disks.read(vm, "virtio0", end - 4, 5)).toThrow(/past the end/);
    expect(() => sim.disks.read(vm, "ide7", 0, 1)).toThrow(/has no disk ide7/);
    expect(() => sim.disks.sha256(lab.vms.running, "virtio0", { snapshotId: snap })).toThrow(/has no snapshot/);
    expect(sim.state().snapshots.find((s) => s.id === snap)).toMatchObject({ server_id: vm, ready: true });
  });

  it("records quiesced only for running VMs with vmtools", async () => {
    const { call, lab, snapshot } = backupSetup();
    for (const [vm, quiesced] of [
      [lab.vms.running, 1],
      [lab.vms.noVmtools, 0],
      [lab.vms.stopped, 0],
    ] as const) {
      const id = await snapshot(vm);
      const list = await call("GET", `/janus/20210725/servers/${vm}/snapshots`);
      expect(list.body.data.find((s: { id: string }) => s.id === id).quiesced).toBe(quiesced);
    }
  });

  it("refuses a reserved name, a 49th storage snapshot and mixing external with other snapshots", async () => {
    const { call, lab, snapshot } = backupSetup({ taskDurationMs: 0 });
    const post = (vm: string, json: object) => call("POST", `/janus/20190725/servers/${vm}/snapshots`, { json });
    expect((await post(lab.vms.stopped, { name: "current" })).body.message).toMatch(/reserved/);
    const external = await post(lab.refusals.internalSnapshot, { name: "x", snap_type: "external_qcow2" });
    expect(external.status).toBe(400);
    expect(external.body.message).toMatch(/cannot coexist/);
    for (let i = 0; i < 48; i++) {
      await snapshot(lab.vms.stopped, `s${i}`);
    }
    const tooMany = await post(lab.vms.stopped, { name: "one-more" });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/48 storage snapshots/);
    expect((await post(lab.vms.stopped, { name: "odd", snap_type: "floppy" })).status).toBe(400);
  });

  it("reverts the live disk to a snapshot, optionally taking one of the current state first", async () => {
    const { sim, call, lab, finish, snapshot } = backupSetup();
    const vm = lab.vms.running;
    sim.disks.write(vm, "virtio1", 0, pattern(3, 4 * KIB));
    const snap = await snapshot(vm);
    const frozen = sim.disks.sha256(vm, "virtio1");
    sim.disks.write(vm, "virtio1", 0, pattern(4, 4 * KIB));
    const changed = sim.disks.sha256(vm, "virtio1");
    const recovery = await call("POST", `${S18}/${vm}/snapshots/${snap}/recovery`, { json: { backup: 1 } });
    expect(recovery.status).toBe(201);
    expect((await finish(recovery)).status).toBe("finish");
    expect(sim.disks.sha256(vm, "virtio1")).toBe(frozen);
    const snapshots = sim.state().snapshots.filter((s) => s.server_id === vm);
    expect(snapshots).toHaveLength(2);
    expect(sim.disks.sha256(vm, "virtio1", { snapshotId: snapshots[1]?.id ?? "" })).toBe(changed);
    const item = sim.state().servers.find((s) => s.id === vm);
    expect(item?.power_state).toBe("off");
    const list = await call("GET", `/janus/20210725/servers/${vm}/snapshots`);
    expect(list.body.data.find((s: { is_latest: number }) => s.is_latest === 1).id).toBe(snap);
  });

  it("deletes one snapshot (204 with a task) or several in one task", async () => {
    const { sim, call, lab, finish, snapshot, advance } = backupSetup();
    const vm = lab.vms.stopped;
    const [a, b, c] = [await snapshot(vm, "a"), await snapshot(vm, "b"), await snapshot(vm, "c")];
    const one = await call("DELETE", `${S18}/${vm}/snapshots/${a}`);
    expect(one.status).toBe(204);
    expect(sim.state().snapshots.find((s) => s.id === a)?.deleting).toBe(true);
    advance(TASK_MS);
    expect(sim.state().snapshots.some((s) => s.id === a)).toBe(false);
    const batch = await call("POST", `${S18}/${vm}/snapshots/action`, {
      json: { action: "delete", snapshot_ids: [b, "0f0f0f0f-0000-4000-8000-000000000000"] },
    });
    expect(batch.status).toBe(404);
    expect(sim.state().snapshots.some((s) => s.id === b && !s.deleting)).toBe(true);
    const both = await call("POST", `${S18}/${vm}/snapshots/action`, {
      json: { action: "delete", snapshot_ids: [b, c] },
    });
    expect((await finish(both)).status).toBe("finish");
    expect(sim.state().snapshots.filter((s) => s.server_id === vm)).toEqual([]);
    expect((await call("GET", `/janus/20210725/servers/${vm}/snapshots`)).body.data).toEqual([]);
  });

  it("freezes the VM configuration a restore needs in the detail's vmconf", async () => {
    const { call, lab, snapshot } = backupSetup();
    const vm = lab.vms.running;
    const detail = (await call("GET", `${S18}/${vm}/snapshots/${await snapshot(vm)}`)).body.data;
    expect(Number(detail.checkpoint_id)).toBe(0);
    expect(detail.vmconf.hardware_option.disks).toMatchObject([
      { id: "virtio0", size_mb: 4 },
      { id: "virtio1", size_mb: 2 },
    ]);
    expect(detail.vmconf.os_option).toMatchObject({ kernel_name: "linux" });
    expect(detail.vmconf.hardware_option.network_adapters[0]).toMatchObject({ vif_id: "net0", connected: 1 });
    expect(detail.vmconf.datastore_id).toMatch(/^ds-/);
  });

  it("goes with its VM when the VM is deleted for good, and keeps a VM whose disk a proxy holds", async () => {
    const { sim, call, lab, finish, snapshot, cbt } = backupSetup();
    const vm = lab.vms.stopped;
    await cbt(vm, "enable");
    const snap = await snapshot(vm);
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const json = { disks: [{ server_id: vm, disk_id: "virtio0", snapshot_id: snap, application: "backup" }] };
    const added = await call("POST", `/janus/20240725/servers/${proxy}/disks`, { json });
    await finish(added);
    const held = await call("DELETE", `${S18}/${vm}`, { json: { force: 1 } });
    expect(held.status).toBe(409);
    expect(held.body.message).toMatch(/hot-added to proxy/);
    const removal = { action: "remove", disk_ids: [added.body.data.disks[0].id] };
    await finish(await call("POST", `/janus/20240725/servers/${proxy}/disks/action`, { json: removal }));
    await finish(await call("DELETE", `${S18}/${vm}`, { json: { force: 1 } }));
    const state = sim.state();
    expect(state.servers.some((s) => s.id === vm)).toBe(false);
    expect(state.snapshots.some((s) => s.server_id === vm)).toBe(false);
    expect(state.cbt[vm]).toBeUndefined();
    expect(() => sim.disks.read(vm, "virtio0", 0, 1)).toThrow(/does not exist/);
  });
});
