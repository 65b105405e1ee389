import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { BASE, BR, backupSetup, S18 } from "./backup-support.js";
import { rawClient } from "./support.js";

describe("backup lab seed", () => {
  it("seeds VMs that each fail one pre-backup check, visible through the list and the configuration", async () => {
    const { call, lab } = backupSetup();
    const item = async (id: string) =>
      (await call("GET", "/janus/20240725/servers", { query: { ids: id } })).body.data.data[0];
    const config = async (id: string) => (await call("GET", `/janus/20240725/servers/${id}`)).body.data;
    expect(await item(lab.vms.running)).toMatchObject({
      type: "hci",
      vmtype: "vm",
      advance_param: { turbo_mode_enabled: 0 },
      os_name: "Linux",
      power_state: "on",
      vtool_installed: 1,
    });
    expect(await config(lab.vms.running)).toMatchObject({ application: "", revert_mode: 0, snap: 0 });
    expect((await item(lab.refusals.notHci)).type).toBe("vmware");
    expect((await item(lab.refusals.notHci)).az_id).toBe(lab.vmwarePoolId);
    expect((await item(lab.refusals.notVm)).vmtype).toBe("placeholder");
    expect((await item(lab.refusals.turboMode)).advance_param.turbo_mode_enabled).toBe(1);
    expect((await item(lab.refusals.backupProxy)).os_name).toBe("Backup Proxy");
    expect(await config(lab.refusals.deskRevertMode)).toMatchObject({ application: "desk", revert_mode: 1 });
    expect((await config(lab.refusals.internalSnapshot)).snap).toBe(1);
    const snaps = await call("GET", `/janus/20210725/servers/${lab.refusals.internalSnapshot}/snapshots`);
    expect(snaps.body.data.map((s: { type: string }) => s.type)).toEqual(["qcow2"]);
    for (const [poolId, proxy] of Object.entries(lab.proxies)) {
      expect(await item(proxy)).toMatchObject({ az_id: poolId, os_name: "Backup Proxy", power_state: "on" });
    }
    expect((await item(lab.vms.otherPool)).az_id).not.toBe((await item(lab.vms.running)).az_id);
  });

  it("follows poolCount, is deterministic, and leaves the rest of the seeded world as it was", () => {
    const a = createScpSimulator({ serverCount: 3, backupLab: true, poolCount: 3 });
    const b = createScpSimulator({ serverCount: 3, backupLab: true, poolCount: 3 });
    const plain = createScpSimulator({ serverCount: 3, poolCount: 3 });
    expect(a.poolIds).toHaveLength(4);
    expect(Object.keys(a.lab?.proxies ?? {})).toEqual(a.poolIds.slice(0, 3));
    expect(b.lab).toEqual(a.lab);
    const vm = a.lab?.vms.running ?? "";
    expect(b.disks.sha256(vm, "virtio0")).toBe(a.disks.sha256(vm, "virtio0"));
    expect(a.disks.read(vm, "virtio0", 0, 16).some((byte) => byte !== 0)).toBe(true);
    const ids = (sim: typeof a) => sim.state().servers.map((s) => s.id);
    expect(ids(a).slice(0, 4)).toEqual(ids(plain));
    expect(plain.lab).toBeUndefined();
    expect(plain.poolIds).toEqual(a.poolIds.slice(0, 3));
    expect(() => createScpSimulator({ backupLab: true, poolCount: 1 })).toThrow(/poolCount >= 2/);
    expect(() => createScpSimulator({ cbtBlockSizeBytes: 3000 })).toThrow(/power of two/);
  });

  it("gates operations by release: 6.10.0 ones answer 404 on 6.9.0, hot-add answers 404 (V2) before 6.11.3", async () => {
    let now = Date.UTC(2026, 2, 1);
    const sim = createScpSimulator({ serverCount: 0, backupLab: true, scpVersion: "6.9.0", clock: () => now });
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
    const lab = sim.lab;
    if (!lab) {
      throw new Error("no lab");
    }
    const vm = lab.vms.running;
    for (const [method, path] of [
      ["GET", `${S18}/${vm}/cbt/status`],
      ["GET", `/janus/20210725/servers/${vm}/snapshots`],
      ["GET", `${BR}/supports?server_id=${vm}`],
      ["POST", `${S18}/config`],
    ] as const) {
      const answer = await call(method, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.message).toMatch(/^no such API/);
    }
    const older = await call("POST", `/janus/20190725/servers/${vm}/snapshots`, { json: { name: "on-6.9" } });
    expect(older.status).toBe(201);
    now += 1000;
    sim.faults.setScpVersion("6.11.1");
    expect((await call("GET", `${S18}/${vm}/cbt/status`)).status).toBe(200);
    const disks = [
      { server_id: vm, disk_id: "virtio0", snapshot_id: older.body.data.resource_id, application: "backup" },
    ];
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const hotAdd = await call("POST", `/janus/20240725/servers/${proxy}/disks`, { json: { disks } });
    expect(hotAdd.status).toBe(404);
    expect(hotAdd.body.errcode).toBe("404");
    sim.faults.setScpVersion("6.11.3");
    expect((await call("POST", `/janus/20240725/servers/${proxy}/disks`, { json: { disks } })).status).toBe(200);
  });
});
