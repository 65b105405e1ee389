import { createHash } from "node:crypto";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScpSimulatorServer, startScpSimulator } from "../../src/simulator/index.js";
import { BR, MIB, pattern, S18 } from "./backup-support.js";
import { type ApiResult, type FetchLike, rawClient } from "./support.js";

let server: ScpSimulatorServer;
let agent: Agent;
let call: ReturnType<typeof rawClient>;

beforeAll(async () => {
  server = await startScpSimulator({ serverCount: 0, taskDurationMs: 0, vmtoolsDelayMs: 0, backupLab: true });
  agent = new Agent({ connect: { ca: server.ca } });
  const fetchTrusted: FetchLike = (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit);
  call = rawClient(fetchTrusted, server.url, { type: "signature", credentials: server.credentials });
});
afterAll(async () => {
  await agent.close();
  await server.close();
});

/** Tasks take no time here: reading one finishes it. */
async function done(started: ApiResult): Promise<ApiResult> {
  expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);
  const task = await call("GET", `/janus/20180725/tasks/${started.body.data.task_id}`);
  expect(task.body.data.status).toBe("finish");
  return started;
}

describe("a whole HotAdd backup over HTTPS", () => {
  it("snapshots, locks, maps, hot-adds and reads in the proxy's guest exactly the snapshot's bytes, then cleans up", async () => {
    const lab = server.lab;
    if (!lab) {
      throw new Error("no lab");
    }
    const vm = lab.vms.running;
    const proxy = lab.proxies[server.poolIds[0] ?? ""] ?? "";
    await done(await call("PUT", `${S18}/${vm}/cbt/status`, { json: { type: "enable" } }));
    const snap = (await done(await call("POST", `/janus/20190725/servers/${vm}/snapshots`, { json: { name: "b1" } })))
      .body.data.resource_id;
    server.disks.write(vm, "virtio1", MIB, pattern(9, 4096));
    const detail = (await call("GET", `${S18}/${vm}/snapshots/${snap}`)).body.data;
    const disk = detail.vmconf.hardware_option.disks.find((d: { id: string }) => d.id === "virtio1");
    const sizeBytes = disk.size_mb * MIB;
    const lock = await done(await call("POST", BR, { json: { server_id: vm, type: "backup", lock_time: 300 } }));

    const areas: { start: number; length: number }[] = [];
    for (let offset = 0; offset < sizeBytes; ) {
      const query = { disk_id: "virtio1", snapshot_id: snap, checkpoint_id: 0, start_offset: offset };
      const page = (await call("GET", `${S18}/${vm}/cbt/changed-areas`, { query })).body.data;
      areas.push(...page.changed_area);
      offset = page.start_offset + page.length;
    }
    const json = { disks: [{ server_id: vm, disk_id: "virtio1", snapshot_id: snap, application: "backup" }] };
    const added = await done(await call("POST", `/janus/20240725/servers/${proxy}/disks`, { json }));
    const { serial, id } = added.body.data.disks[0];
    expect(server.guest.devices(proxy).map((d) => d.serial)).toEqual([serial]);
    const image = new Uint8Array(sizeBytes);
    for (const area of areas) {
      image.set(server.simulator.guest.readDevice(proxy, serial, area.start, area.length), area.start);
    }
    const digest = createHash("sha256").update(image).digest("hex");
    expect(digest).toBe(server.simulator.disks.sha256(vm, "virtio1", { snapshotId: snap }));
    expect(digest).not.toBe(server.disks.sha256(vm, "virtio1"));

    await done(
      await call("POST", `/janus/20240725/servers/${proxy}/disks/action`, {
        json: { action: "remove", disk_ids: [id] },
      }),
    );
    await done(await call("DELETE", `${BR}/${lock.body.data.resource_id}`));
    const state = server.state();
    expect(state.hotAddedDisks).toEqual({});
    expect(state.backupResources).toEqual([]);
  });
});
