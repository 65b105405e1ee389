import { describe, expect, it } from "vitest";
import { createScpSimulator, type ScpSimulatorOptions } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.vm.test";

function setup(options: ScpSimulatorOptions = {}) {
  let now = Date.UTC(2026, 0, 1);
  const sim = createScpSimulator({
    serverCount: 20,
    taskDurationMs: 1000,
    vmtoolsDelayMs: 5000,
    clock: () => now,
    ...options,
  });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => now);
  const advance = (ms: number) => {
    now += ms;
  };
  const server = async (id: string) =>
    (await call("GET", "/janus/20240725/servers", { query: { ids: id } })).body.data.data[0];
  const task = async (id: string) => (await call("GET", `/janus/20180725/tasks/${id}`)).body.data;
  return { sim, call, advance, server, task };
}

async function imageNamed(call: ReturnType<typeof setup>["call"], name: string) {
  return (await call("GET", "/janus/20200725/images", { query: { name } })).body.data.data[0];
}

function body(azId: string, imageId: string, extra: object = {}) {
  return {
    az_id: azId,
    image_id: imageId,
    name: "proxy",
    description: "backup proxy",
    cores: 2,
    sockets: 1,
    memory_mb: 4096,
    disks: [{ id: "ide0", size_mb: 40_960, type: "derive_disk" }],
    networks: [{ vif_id: "net0", connect: 1 }],
    ...extra,
  };
}

describe("VM lifecycle", () => {
  it("creates VMs that show at once as creating, then run, then report vmtools after the delay", async () => {
    const { sim, call, advance, server, task } = setup();
    const image = await imageNamed(call, "CentOS");
    const created = await call("POST", "/janus/20220725/servers", {
      json: body(sim.poolIds[0] ?? "", image.id, { count: 2, power_on: 1 }),
    });
    expect(created.status).toBe(201);
    const [first, second] = created.body.data.uuids;
    const vm = await server(first);
    expect(vm).toMatchObject({ status: "creating", image_id: image.id, description: "backup proxy", name: "proxy-1" });
    expect(vm.vm_id).toMatch(/^\d{13}$/);
    expect((await server(second)).name).toBe("proxy-2");
    expect((await task(created.body.data.task_id)).status).toBe("waiting");
    advance(500);
    const doing = await task(created.body.data.task_id);
    expect(doing.status).toBe("doing");
    expect(doing.progress).toBeGreaterThanOrEqual(0);
    expect(doing.progress).toBeLessThan(100);
    advance(500);
    expect(await task(created.body.data.task_id)).toMatchObject({ status: "finish", progress: 100 });
    expect(await server(first)).toMatchObject({ status: "running", power_state: "on", vtool_installed: 0 });
    advance(4999);
    expect((await server(first)).vtool_installed).toBe(0);
    advance(1);
    expect((await server(first)).vtool_installed).toBe(1);
  });

  it("leaves a VM from an image without vmtools at vtool_installed 0, and a stopped creation stopped", async () => {
    const { sim, call, advance, server } = setup({ credentials: {} });
    const image = await imageNamed(call, "tenant-app");
    const created = await call("POST", "/janus/20220725/servers", {
      json: body(sim.poolIds[0] ?? "", image.id, { power_on: 0 }),
    });
    advance(1000);
    const id = created.body.data.uuids[0];
    expect(await server(id)).toMatchObject({ status: "stopped", power_state: "off" });
    await call("POST", `/janus/20180725/servers/${id}/start`);
    advance(60_000);
    expect(await server(id)).toMatchObject({ status: "running", vtool_installed: 0 });
  });

  it("refuses an image that is not available in the pool, and names missing fields", async () => {
    const { sim, call } = setup();
    const tenantImage = await imageNamed(call, "tenant-app");
    const elsewhere = await call("POST", "/janus/20220725/servers", {
      json: body(sim.poolIds[1] ?? "", tenantImage.id),
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toMatch(/not available in resource pool/);
    const { memory_mb: _m, ...missing } = body(sim.poolIds[0] ?? "", tenantImage.id);
    const invalid = await call("POST", "/janus/20220725/servers", { json: missing });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/memory_mb/);
    const badDisk = await call("POST", "/janus/20220725/servers", {
      json: { ...body(sim.poolIds[0] ?? "", tenantImage.id), disks: [{ id: "ide0" }] },
    });
    expect(badDisk.body.message).toMatch(/disks\[0\]\.size_mb/);
    const saving = await call("POST", "/janus/20180725/images", {
      json: { azs: [sim.poolIds[0]], disk_format: "aCloud", image_type: "private" },
    });
    const notActive = await call("POST", "/janus/20220725/servers", {
      json: body(sim.poolIds[0] ?? "", saving.body.data.id),
    });
    expect(notActive.body.message).toMatch(/not active/);
  });

  it("starts, stops and edits through tasks, including os_name on 6.11.3", async () => {
    const { sim, call, advance, server } = setup();
    const id = sim.goldenServerId;
    await call("POST", `/janus/20180725/servers/${id}/start`);
    expect((await server(id)).status).toBe("stopped");
    advance(1000);
    expect((await server(id)).power_state).toBe("on");
    await call("POST", `/janus/20180725/servers/${id}/stop`, { json: { force: 1 } });
    advance(1000);
    expect((await server(id)).status).toBe("stopped");
    const edit = await call("PUT", `/janus/20210725/servers/${id}`, {
      json: { os_name: "Backup Proxy", cores: 4, name: "proxy-golden" },
    });
    expect(edit.status).toBe(200);
    expect((await call("GET", `/janus/20240725/servers/${id}`)).body.data.os_name).toBe("Linux");
    advance(1000);
    expect((await call("GET", `/janus/20240725/servers/${id}`)).body.data).toMatchObject({
      os_name: "Backup Proxy",
      cores: 4,
      name: "proxy-golden",
    });
  });

  it("refuses an os_name edit on platforms older than 6.11.3 with a clear message", async () => {
    const { sim, call } = setup({ scpVersion: "6.11.1" });
    const refused = await call("PUT", `/janus/20210725/servers/${sim.goldenServerId}`, {
      json: { os_name: "Backup Proxy" },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("os_name can be edited on SCP 6.11.3 and later; this platform is 6.11.1");
    expect((await call("PUT", `/janus/20210725/servers/${sim.goldenServerId}`, { json: { name: "x" } })).status).toBe(
      200,
    );
  });

  it("deletes to the recycle bin without force and for good with it", async () => {
    const { sim, call, advance, server } = setup();
    const ids = (
      await call("GET", "/janus/20240725/servers", { query: { page_size: 3, page_num: 1 } })
    ).body.data.data.map((s: { id: string }) => s.id);
    const soft = await call("DELETE", `/janus/20180725/servers/${ids[0]}`, { json: { force: 0 } });
    expect(soft.status).toBe(204);
    expect((await server(ids[0])).status).toBe("deleting");
    expect((await call("POST", `/janus/20180725/servers/${ids[0]}/start`)).status).toBe(409);
    await call("DELETE", `/janus/20180725/servers/${ids[1]}`, { json: { force: 1 } });
    advance(1000);
    expect(await server(ids[0])).toBeUndefined();
    expect((await call("GET", `/janus/20240725/servers/${ids[0]}`)).status).toBe(404);
    const kept = sim.state().servers.find((s) => s.id === ids[0]);
    expect(kept).toMatchObject({ recycled: true, power_state: "off" });
    expect(sim.state().servers.some((s) => s.id === ids[1])).toBe(false);
    expect((await call("POST", "/janus/20180725/servers/00000000-0000-4000-8000-000000000000/stop")).status).toBe(404);
  });

  it("refuses a JSON body too large to buffer with 413", async () => {
    const { sim, call } = setup();
    const huge = await call("PUT", `/janus/20210725/servers/${sim.goldenServerId}`, {
      json: { description: "x".repeat(2 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe(413);
  });

  it("rolls a failed creation back", async () => {
    const { sim, call, advance } = setup();
    sim.faults.add({ match: "POST /janus/20220725/servers", kind: "task-failure", reason: "no capacity on the pool" });
    const image = await imageNamed(call, "CentOS");
    const created = await call("POST", "/janus/20220725/servers", { json: body(sim.poolIds[0] ?? "", image.id) });
    advance(1000);
    const task = (await call("GET", `/janus/20180725/tasks/${created.body.data.task_id}`)).body.data;
    expect(task).toMatchObject({ status: "failure", progress: -1, description: "no capacity on the pool" });
    expect(sim.state().servers.some((s) => s.id === created.body.data.uuids[0])).toBe(false);
  });

  it("keeps a VM 'deleting' when a start ends during its delete, and a failed delete leaves status and power agreeing", async () => {
    const { sim, call, advance, server } = setup();
    const id = sim.goldenServerId;
    expect((await call("POST", `/janus/20180725/servers/${id}/start`)).status).toBe(201);
    advance(500);
    sim.faults.add({
      match: "DELETE /janus/20180725/servers/{server_id}",
      kind: "task-failure",
      reason: "locked",
      count: 1,
    });
    expect((await call("DELETE", `/janus/20180725/servers/${id}`, { json: { force: 0 } })).status).toBe(204);
    advance(600);
    expect(await server(id)).toMatchObject({ status: "deleting", power_state: "on" });
    expect((await call("POST", `/janus/20180725/servers/${id}/stop`)).status).toBe(409);
    advance(1000);
    expect(await server(id)).toMatchObject({ status: "running", power_state: "on", is_stopped: 0 });
  });
});
