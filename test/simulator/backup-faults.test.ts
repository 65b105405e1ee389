import { describe, expect, it } from "vitest";
import { BASE, BR, backupSetup, KIB, MIB, merge, pattern, type Range, S18 } from "./backup-support.js";

const DISKS = "/janus/20240725/servers";
const SEC = 1000;

describe("faults on the backup operations", () => {
  it("a renewal whose task fails leaves the old lock to run out; an error answer renews nothing", async () => {
    const { sim, call, lab, finish, advance } = backupSetup();
    const created = await call("POST", BR, { json: { server_id: lab.vms.running, type: "backup", lock_time: 120 } });
    await finish(created);
    const id = created.body.data.resource_id;
    sim.faults.add({ match: `PUT ${BR}/{backup_resources_id}`, kind: "error", status: 503, count: 1 });
    expect((await call("PUT", `${BR}/${id}`, { json: { lock_time: 600 } })).status).toBe(503);
    sim.faults.add({ match: `PUT ${BR}/{backup_resources_id}`, kind: "task-failure", reason: "lock busy", count: 1 });
    const renewal = await call("PUT", `${BR}/${id}`, { json: { lock_time: 600 } });
    expect(renewal.status).toBe(200);
    expect(await finish(renewal)).toMatchObject({ status: "failure", description: "lock busy" });
    expect((await call("GET", `${BR}/${id}`)).body.data.remain_time).toBe(118);
    advance(118 * SEC + 1);
    expect((await call("GET", `${BR}/${id}`)).status).toBe(404);
  });

  it("a hot-add whose task fails attaches nothing; a reset applies nothing; apply-then-drop attaches", async () => {
    const { sim, call, lab, snapshot, finish } = backupSetup();
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snap = await snapshot(lab.vms.running);
    const json = {
      disks: [{ server_id: lab.vms.running, disk_id: "virtio0", snapshot_id: snap, application: "backup" }],
    };
    const route = "POST /janus/20240725/servers/{server_id}/disks";
    sim.faults.add({ match: route, kind: "task-failure", reason: "virtio slot busy", count: 1 });
    const failed = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    expect(sim.state().hotAddedDisks[proxy]).toHaveLength(1);
    expect(await finish(failed)).toMatchObject({ status: "failure", description: "virtio slot busy" });
    expect(sim.state().hotAddedDisks).toEqual({});
    expect(sim.guest.devices(proxy)).toEqual([]);
    expect((await call("GET", `${DISKS}/${proxy}`)).body.data.disks).toHaveLength(1);

    sim.faults.add({ match: route, kind: "reset", count: 1 });
    await expect(call("POST", `${DISKS}/${proxy}/disks`, { json })).rejects.toThrow(/fetch failed/);
    expect(sim.state().hotAddedDisks).toEqual({});
    sim.faults.add({ match: route, kind: "apply-then-drop", count: 1 });
    await expect(call("POST", `${DISKS}/${proxy}/disks`, { json })).rejects.toThrow(/fetch failed/);
    // The answer was lost, but a sweep finds the disk in the proxy's configuration.
    const swept = (await call("GET", `${DISKS}/${proxy}`)).body.data.disks.filter((d: { hotadd?: number }) => d.hotadd);
    expect(swept).toMatchObject([{ source_server_id: lab.vms.running, source_snapshot_id: snap }]);
  });

  it("a device-delay fault holds one hot-add's devices back", async () => {
    const { sim, call, lab, snapshot, finish, advance } = backupSetup();
    const proxy = lab.proxies[sim.poolIds[0] ?? ""] ?? "";
    const snap = await snapshot(lab.vms.running);
    sim.faults.add({ match: "POST /janus/20240725/servers/*/disks", kind: "device-delay", delayMs: 30_000, count: 1 });
    const json = {
      disks: [{ server_id: lab.vms.running, disk_id: "virtio1", snapshot_id: snap, application: "backup" }],
    };
    const added = await call("POST", `${DISKS}/${proxy}/disks`, { json });
    await finish(added);
    const { serial } = added.body.data.disks[0];
    expect(() => sim.guest.readDevice(proxy, serial, 0, 1)).toThrow(/does not show/);
    advance(30 * SEC);
    expect(sim.guest.readDevice(proxy, serial, 0, 4)).toHaveLength(4);
  });

  it("changed-area answers cut short: fewer areas, less covered; a careful reader still gets every area", async () => {
    const { sim, lab, cbt, snapshot, checkpointOf, areas, allAreas } = backupSetup({ cbtBlockSizeBytes: 4 * KIB });
    const vm = lab.vms.running;
    await cbt(vm, "enable", ["virtio0"]);
    const base = await snapshot(vm);
    const written: Range[] = [0, 1, 2, 3].map((i) => ({ start: (64 + i * 16) * KIB, length: 4 * KIB }));
    for (const [i, r] of written.entries()) {
      sim.disks.write(vm, "virtio0", r.start, pattern(i, r.length));
    }
    const snap = await snapshot(vm);
    const c = await checkpointOf(vm, base);
    const path = `GET ${S18}/{server_id}/cbt/changed-areas`;
    sim.faults.add({ match: path, kind: "partial-changed-areas", maxAreas: 1, count: 1 });
    const cut = await areas(vm, { disk_id: "virtio0", snapshot_id: snap, checkpoint_id: c, start_offset: 0 });
    expect(cut.body.data).toEqual({
      start_offset: 0,
      length: 68 * KIB,
      changed_area: [{ start: 64 * KIB, length: 4 * KIB }],
    });
    sim.faults.add({ match: path, kind: "partial-changed-areas", maxAreas: 10, maxLength: 40 * KIB, count: 1 });
    const short = await areas(vm, { disk_id: "virtio0", snapshot_id: snap, checkpoint_id: c, start_offset: 68 * KIB });
    expect(short.body.data).toMatchObject({ start_offset: 68 * KIB, length: 40 * KIB });
    expect(short.body.data.changed_area).toEqual([written[1], written[2]]);
    sim.faults.add({ match: path, kind: "partial-changed-areas", maxAreas: 1, rate: 0.5 });
    expect((await allAreas(vm, "virtio0", snap, c, 4 * MIB)).areas).toEqual(merge(written));
  });

  it("error and apply-then-drop faults work on snapshots: a lost answer still leaves the snapshot", async () => {
    const { sim, call, lab } = backupSetup();
    const route = "POST /janus/20190725/servers/{server_id}/snapshots";
    sim.faults.add({ match: route, kind: "error", status: 500, count: 1 });
    expect(
      (await call("POST", `/janus/20190725/servers/${lab.vms.running}/snapshots`, { json: { name: "a" } })).status,
    ).toBe(500);
    expect(sim.state().snapshots.filter((s) => s.server_id === lab.vms.running)).toEqual([]);
    sim.faults.add({ match: route, kind: "apply-then-drop", count: 1 });
    const lost = call("POST", `/janus/20190725/servers/${lab.vms.running}/snapshots`, { json: { name: "b" } });
    await expect(lost).rejects.toThrow(/fetch failed/);
    const list = await call("GET", `/janus/20210725/servers/${lab.vms.running}/snapshots`);
    expect(list.body.data.map((s: { name: string }) => s.name)).toEqual(["b"]);
  });

  it("installs the new fault kinds through the control endpoint and refuses a repeated X-Client-Token", async () => {
    const { sim, call, lab, finish } = backupSetup();
    const control = await sim.fetch(`${BASE}/__sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        match: "GET /janus/20180725/servers/*/cbt/changed-areas",
        kind: "partial-changed-areas",
        maxAreas: 2,
      }),
    });
    expect(control.status).toBe(201);
    expect(sim.faults.list().map((f) => f.rule.kind)).toEqual(["partial-changed-areas"]);
    const bad = await sim.fetch(`${BASE}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ match: "*", kind: "partial-changed-areas", maxAreas: 0 }),
    });
    expect(bad.status).toBe(400);

    const headers = { "x-client-token": "4f6c2b1e-0d7a-4c55-9a11-3b2f0c9d8e77" };
    const path = `/janus/20190725/servers/${lab.vms.stopped}/snapshots`;
    await finish(await call("POST", path, { json: { name: "once" }, headers }));
    const repeated = await call("POST", path, { json: { name: "once" }, headers });
    expect(repeated.status).toBe(429);
    expect(sim.state().snapshots.filter((s) => s.server_id === lab.vms.stopped)).toHaveLength(1);
  });
});
