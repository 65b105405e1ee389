import { describe, expect, it } from "vitest";
import { BR, backupSetup, S18 } from "./backup-support.js";

const SEC = 1000;

describe("backup resources", () => {
  it("lock a VM for lock_time, count down on the clock, renew across three periods, then expire and vanish", async () => {
    const { sim, call, lab, finish, advance } = backupSetup();
    const vm = lab.vms.running;
    const created = await call("POST", BR, { json: { server_id: vm, type: "backup", lock_time: 600 } });
    expect(created.status).toBe(200);
    const id: string = created.body.data.resource_id;
    expect(id).toMatch(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    const pool = sim.state().hosts.filter((h) => h.az_id === sim.poolIds[0] && h.status === "running");
    expect(pool.map((h) => h.id)).toContain(created.body.data.host_id);
    expect((await call("GET", `${BR}/${id}`)).body.data.status).toBe("pending");
    await finish(created);
    const first = (await call("GET", `${BR}/${id}`)).body.data;
    expect(first).toMatchObject({
      server_id: vm,
      status: "running",
      remain_time: 599,
      host_id: created.body.data.host_id,
    });
    expect(first.ca_cert).toMatch(/^MII[A-Za-z0-9+/]+=*$/);

    for (let period = 0; period < 3; period++) {
      advance(500 * SEC);
      // The first period started a task's length before the count did.
      expect((await call("GET", `${BR}/${id}`)).body.data.remain_time).toBe(period === 0 ? 99 : 100);
      const renewal = await call("PUT", `${BR}/${id}`, { json: { lock_time: 600 } });
      expect((await finish(renewal)).status).toBe("finish");
      expect((await call("GET", `${BR}/${id}`)).body.data.remain_time).toBe(600);
    }

    expect((await call("POST", BR, { json: { server_id: vm, type: "backup", lock_time: 60 } })).status).toBe(409);
    advance(600 * SEC);
    expect((await call("GET", `${BR}/${id}`)).body.data.remain_time).toBe(0);
    advance(1);
    const gone = await call("GET", `${BR}/${id}`);
    expect(gone.status).toBe(404);
    expect(sim.state().backupResources).toEqual([]);
    expect((await call("PUT", `${BR}/${id}`, { json: { lock_time: 600 } })).status).toBe(404);
    const again = await call("POST", BR, { json: { server_id: vm, type: "backup", lock_time: 60 } });
    expect(again.status).toBe(200);
  });

  it("allows one resource per VM, refuses bad lock times, and needs the VM off for a restore", async () => {
    const { call, lab, finish } = backupSetup();
    const post = (json: object) => call("POST", BR, { json });
    const held = await post({ server_id: lab.vms.stopped, type: "backup", lock_time: 120 });
    const second = await post({ server_id: lab.vms.stopped, type: "restore", lock_time: 120 });
    expect(second.status).toBe(409);
    expect(second.body.message).toContain(held.body.data.resource_id);
    for (const lock_time of [59, 7201, 90.5]) {
      expect((await post({ server_id: lab.vms.running, type: "backup", lock_time })).status).toBe(400);
    }
    const restoreRunning = await post({ server_id: lab.vms.running, type: "restore", lock_time: 120 });
    expect(restoreRunning.status).toBe(400);
    expect(restoreRunning.body.message).toMatch(/powered off/);
    expect((await post({ server_id: lab.refusals.notHci, type: "backup", lock_time: 120 })).status).toBe(400);

    const release = await call("DELETE", `${BR}/${held.body.data.resource_id}`);
    expect((await call("GET", `${BR}/${held.body.data.resource_id}`)).body.data.status).toBe("released");
    expect((await finish(release)).status).toBe("finish");
    expect((await post({ server_id: lab.vms.stopped, type: "restore", lock_time: 120 })).status).toBe(200);
    const deleteVm = await call("DELETE", `${S18}/${lab.vms.stopped}`, { json: { force: 1 } });
    expect(deleteVm.status).toBe(409);
  });

  it("places a resource on the preferred host when it reaches the disks, else on the least loaded one", async () => {
    const { sim, call, lab } = backupSetup();
    const hosts = sim.state().hosts;
    const inPool = hosts.filter((h) => h.az_id === sim.poolIds[0] && h.status === "running");
    const elsewhere = hosts.find((h) => h.az_id === sim.poolIds[1]);
    const preferred = inPool[2]?.id;
    const a = await call("POST", BR, {
      json: { server_id: lab.vms.running, type: "backup", lock_time: 300, host_id: preferred },
    });
    expect(a.body.data.host_id).toBe(preferred);
    const b = await call("POST", BR, {
      json: { server_id: lab.vms.stopped, type: "backup", lock_time: 300, host_id: elsewhere?.id },
    });
    expect(b.body.data.host_id).toBe(inPool[0]?.id);
    const c = await call("POST", BR, { json: { server_id: lab.vms.noVmtools, type: "backup", lock_time: 300 } });
    expect(c.body.data.host_id).toBe(inPool[1]?.id);
  });

  it("ends a restore by leaving the VM's CBT expired", async () => {
    const { sim, call, lab, cbt, finish } = backupSetup();
    const vm = lab.vms.stopped;
    await cbt(vm, "enable");
    const restore = await call("POST", BR, { json: { server_id: vm, type: "restore", lock_time: 300 } });
    await finish(restore);
    expect(sim.state().cbt[vm]?.expired).toBe(false);
    await finish(await call("DELETE", `${BR}/${restore.body.data.resource_id}`));
    expect(sim.state().cbt[vm]?.expired).toBe(true);
  });

  it("answers supported SDK versions and transport modes, hotadd and host_id from 6.11.3 on", async () => {
    const { sim, call, lab } = backupSetup();
    const supports = await call("GET", `${BR}/supports`, { query: { server_id: lab.vms.running } });
    expect(supports.body.data).toEqual({
      versions: ["6.10.0", "6.11.1", "6.11.3"],
      transport_modes: ["nbd", "nbd_ssl", "hotadd"],
    });
    sim.faults.setScpVersion("6.11.1");
    const older = await call("GET", `${BR}/supports`, { query: { server_id: lab.vms.running } });
    expect(older.body.data).toEqual({ versions: ["6.10.0", "6.11.1"], transport_modes: ["nbd", "nbd_ssl"] });
    const withHost = await call("POST", BR, {
      json: { server_id: lab.vms.running, type: "backup", lock_time: 300, host_id: "host-x" },
    });
    expect(withHost.status).toBe(400);
    const plain = await call("POST", BR, { json: { server_id: lab.vms.running, type: "backup", lock_time: 300 } });
    expect(plain.body.data.host_id).toBeUndefined();
    const read = await call("GET", `${BR}/${plain.body.data.resource_id}`);
    expect(read.body.data.host_id).toBeUndefined();
    expect(read.body.data.remain_time).toBe(300);
  });
});
