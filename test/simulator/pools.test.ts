// Ten resource pools: each has its own hosts, storage tags and subnet, a fleet puts a proxy in each on its
// pool's own resources, and the simulator's request counts add up to exactly what the client sent.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { deployBackupProxyFleet, findBackupProxies, importProxyImage } from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";

const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);

test("a fleet over 10 pools puts each proxy on its own pool's host, storage tag and subnet", async () => {
  const { sim, scp, calls } = simulated({ poolCount: 10, serverCount: 400 });
  const seeded = sim.state();
  expect(sim.poolIds).toHaveLength(10);
  for (const azId of sim.poolIds) {
    expect(seeded.hosts.filter((h) => h.az_id === azId && h.status === "running").length).toBeGreaterThan(0);
    expect(seeded.storageTags.filter((t) => t.az_id === azId)).toHaveLength(2);
    expect(seeded.networks.filter((n) => n.az_id === azId)).toHaveLength(1);
    expect(seeded.servers.filter((s) => s.az_id === azId).length).toBeGreaterThan(10);
  }
  const dir = await mkdtemp(join(tmpdir(), "scp-pools-test-"));
  try {
    const file = join(dir, "proxy.vma");
    await writeFile(file, Buffer.alloc(64 * 1024, 3));
    const image = await importProxyImage(scp, { file, imageName: "proxy-10", azIds: sim.poolIds }, FAST);
    // Every other pool names its slower storage tier (the others get the pool's first); each names its subnet.
    const expectedTag = new Map<string, string | undefined>();
    const pools = sim.poolIds.map((azId, i) => {
      const net = seeded.networks.find((n) => n.az_id === azId) ?? { vpc_id: "", subnet_id: "" };
      const tag = seeded.storageTags.filter((t) => t.az_id === azId)[i % 2];
      expectedTag.set(azId, tag?.id);
      return {
        azId,
        count: 1,
        ...(i % 2 === 1 && tag ? { storageTagId: tag.id } : {}),
        networks: [{ vif_id: "net0", connect: 1 as const, vpc_id: net.vpc_id, subnet_id: net.subnet_id }],
      };
    });
    const result = await deployBackupProxyFleet(scp, { fleetId: "ten", imageId: image.imageId, pools }, FAST);
    expect(result.proxies.map((p) => p.azId).sort()).toEqual([...sim.poolIds].sort());
    const state = sim.state();
    for (const proxy of result.proxies) {
      const vm = state.servers.find((s) => s.id === proxy.serverId);
      const host = state.hosts.find((h) => h.id === vm?.host_id);
      expect(host).toMatchObject({ az_id: proxy.azId, status: "running" });
      expect(vm?.storage_tag_id).toBe(expectedTag.get(proxy.azId ?? ""));
      const subnet = state.networks.find((n) => n.subnet_id === vm?.networks?.[0]?.subnet_id);
      expect(subnet?.az_id).toBe(proxy.azId);
      expect(vm?.ips?.[0]?.startsWith(subnet?.cidr.split(".").slice(0, 2).join(".") ?? "?")).toBe(true);
    }
    expect((await findBackupProxies(scp, { fleetId: "ten" })).filter((p) => p.ready)).toHaveLength(10);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  expect(total(sim.requestCounts())).toBe(calls.length);
});

test("request counts are per operation template, and a reset starts a phase from zero", async () => {
  const { sim, scp, calls } = simulated({ poolCount: 3, serverCount: 5 });
  await findBackupProxies(scp, {});
  const first = sim.requestCounts({ reset: true });
  expect(total(first)).toBe(calls.length);
  expect(first["GET /janus/20240725/servers"]).toBeGreaterThan(0);
  expect(sim.requestCounts()).toEqual({});
  await scp.servers.get(sim.goldenServerId);
  expect(sim.requestCounts()).toEqual({ "GET /janus/20240725/servers/{server_id}": 1 });
  const control = await sim.fetch("https://scp.sim.test/__sim/request-counts", { method: "DELETE" });
  expect(await control.json()).toEqual({ "GET /janus/20240725/servers/{server_id}": 1 });
  expect(await (await sim.fetch("https://scp.sim.test/__sim/request-counts")).json()).toEqual({});
});
