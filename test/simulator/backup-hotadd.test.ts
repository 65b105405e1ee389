import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BR, backupSetup, KIB, MIB, pattern, S18 } from "./backup-support.js";

const DISKS = "/janus/20240725/servers";

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe("hot-add to backup proxies", () => {
  it("attaches a linked clone of a snapshot's disk: the guest reads the snapshot, not later live writes", async () => {
    const { sim, call, lab, snapshot, finish } = backupSetup();
    const vm = lab.vms.running;
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snap = await snapshot(vm);
    sim.disks.write(vm, "virtio0", 0, pattern(5, 64 * KIB));
    const json = { disks: [{ server_id: vm, disk_id: "virtio0", snapshot_id: snap, application: "backup" }] };
    const added = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    expect(added.status).toBe(200);
    expect(added.body.errcode).toBe("");
    const [disk] = added.body.data.disks;
    expect(disk).toMatchObject({ id: "virtio1", server_id: vm, disk_id: "virtio0", snapshot_id: snap });
    expect(disk.serial).toMatch(/^[0-9a-f]{20}$/);
    expect(sim.guest.devices(proxy)).toEqual([]);
    expect(() => sim.guest.readDevice(proxy, disk.serial, 0, 1)).toThrow(/does not show/);

    expect((await finish(added)).status).toBe("finish");
    expect(sim.guest.devices(proxy)).toEqual([{ serial: disk.serial, sizeBytes: 4 * MIB }]);
    const bytes = sim.guest.readDevice(proxy, disk.serial, 0, 4 * MIB);
    expect(sha256(bytes)).toBe(sim.disks.sha256(vm, "virtio0", { snapshotId: snap }));
    expect(sha256(bytes)).not.toBe(sim.disks.sha256(vm, "virtio0"));
    expect(() => sim.guest.readDevice(proxy, disk.serial, 4 * MIB - 1, 2)).toThrow(/past the end/);
    expect(() => sim.guest.readDevice(proxy, "nope", 0, 1)).toThrow(/no device with serial nope/);
    // Writes to the clone stay in the clone.
    sim.guest.writeDevice(proxy, disk.serial, 0, pattern(6, 16));
    expect(sim.disks.sha256(vm, "virtio0", { snapshotId: snap })).toBe(sha256(bytes));

    const config = (await call("GET", `${DISKS}/${proxy}`)).body.data;
    expect(config.disks.find((d: { id: string }) => d.id === "virtio1")).toEqual({
      id: "virtio1",
      type: "derive_disk",
      size_mb: 4,
      storage_id: expect.stringMatching(/^ds-/),
      serial: disk.serial,
      hotadd: 1,
      source_server_id: vm,
      source_disk_id: "virtio0",
      source_snapshot_id: snap,
      application: "backup",
    });
    expect(sim.state().hotAddedDisks[proxy]).toMatchObject([{ id: "virtio1", serial: disk.serial, visible: true }]);
  });

  it("removes a hot-added disk; the snapshot can be deleted only after", async () => {
    const { sim, call, lab, snapshot, finish } = backupSetup();
    const vm = lab.vms.noVmtools;
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snap = await snapshot(vm);
    const json = { disks: [{ server_id: vm, disk_id: "virtio0", snapshot_id: snap, application: "backup" }] };
    const added = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    await finish(added);
    const blocked = await call("DELETE", `${S18}/${vm}/snapshots/${snap}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/linked clone hot-added to proxy/);
    const own = await call("POST", `${DISKS}/${proxy}/disks/action`, {
      json: { action: "remove", disk_ids: ["virtio0"] },
    });
    expect(own.status).toBe(400);
    const removal = await call("POST", `${DISKS}/${proxy}/disks/action`, {
      json: { action: "remove", disk_ids: [added.body.data.disks[0].id] },
    });
    expect((await finish(removal)).status).toBe("finish");
    expect(sim.guest.devices(proxy)).toEqual([]);
    expect(sim.state().hotAddedDisks).toEqual({});
    expect((await call("GET", `${DISKS}/${proxy}`)).body.data.disks.map((d: { id: string }) => d.id)).toEqual([
      "virtio0",
    ]);
    expect((await finish(await call("DELETE", `${S18}/${vm}/snapshots/${snap}`))).status).toBe("finish");
  });

  it("attaches a powered-off VM's real disk for a restore: guest writes change the VM's disk", async () => {
    const { sim, call, lab, finish } = backupSetup();
    const vm = lab.vms.stopped;
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    await finish(await call("POST", BR, { json: { server_id: vm, type: "restore", lock_time: 600 } }));
    const json = { disks: [{ server_id: vm, disk_id: "virtio0", application: "restore" }] };
    const added = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    await finish(added);
    const { serial } = added.body.data.disks[0];
    expect(added.body.data.disks[0].snapshot_id).toBeUndefined();
    const data = pattern(8, 128 * KIB);
    sim.guest.writeDevice(proxy, serial, 3 * MIB, data);
    expect(sha256(sim.disks.read(vm, "virtio0", 3 * MIB, data.byteLength))).toBe(sha256(data));
    const config = (await call("GET", `${DISKS}/${proxy}`)).body.data.disks[1];
    expect(config).toMatchObject({ type: "exist_disk", application: "restore", source_server_id: vm, hotadd: 1 });
    expect(config.source_snapshot_id).toBeUndefined();

    const twice = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    expect(twice.status).toBe(409);
    expect((await call("POST", `${S18}/${vm}/start`)).status).toBe(409);
    await finish(
      await call("POST", `${DISKS}/${proxy}/disks/action`, { json: { action: "remove", disk_ids: [config.id] } }),
    );
    expect(sim.disks.read(vm, "virtio0", 3 * MIB, 16)).toEqual(data.subarray(0, 16));
    expect((await finish(await call("POST", `${S18}/${vm}/start`))).status).toBe("finish");
  });

  it("refuses other pools, VMs that are not a running Backup Proxy, running restore targets and missing snapshots", async () => {
    const { sim, call, lab, snapshot } = backupSetup();
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snapB = await snapshot(lab.vms.otherPool);
    const post = (target: string, disk: object) =>
      call("POST", `${DISKS}/${target}/disks`, { json: { disks: [disk] } });
    const otherPool = await post(proxy, {
      server_id: lab.vms.otherPool,
      disk_id: "virtio0",
      snapshot_id: snapB,
      application: "backup",
    });
    expect(otherPool.status).toBe(400);
    expect(otherPool.body).toMatchObject({ errcode: "400", message: expect.stringMatching(/its own pool only/) });
    const snap = await snapshot(lab.vms.running);
    const disk = { server_id: lab.vms.running, disk_id: "virtio0", snapshot_id: snap, application: "backup" };
    expect((await post(lab.vms.noVmtools, disk)).body.message).toMatch(/not a backup proxy/);
    const stopped = await post(lab.refusals.backupProxy, disk);
    expect(stopped.status).toBe(409);
    expect(stopped.body.message).toMatch(/not running/);
    const restoreRunning = await post(proxy, {
      server_id: lab.vms.running,
      disk_id: "virtio0",
      application: "restore",
    });
    expect(restoreRunning.body.message).toMatch(/must be powered off/);
    expect((await post(proxy, { ...disk, snapshot_id: undefined })).status).toBe(400);
    expect((await post(proxy, { ...disk, disk_id: "virtio9" })).status).toBe(404);
    expect(sim.state().hotAddedDisks).toEqual({});
  });

  it("shows devices in the guest only hotAddDeviceDelayMs after the task", async () => {
    const { sim, call, lab, snapshot, finish, advance } = backupSetup({ hotAddDeviceDelayMs: 5000 });
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snap = await snapshot(lab.vms.running);
    const json = {
      disks: [{ server_id: lab.vms.running, disk_id: "virtio1", snapshot_id: snap, application: "backup" }],
    };
    const added = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    expect((await finish(added)).status).toBe("finish");
    expect(sim.guest.devices(proxy)).toEqual([]);
    advance(4999);
    expect(sim.guest.devices(proxy)).toEqual([]);
    advance(1);
    expect(sim.guest.devices(proxy).map((d) => d.serial)).toEqual([added.body.data.disks[0].serial]);
  });
});
