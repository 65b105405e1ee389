import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.seed.test";
const NOW = Date.UTC(2026, 5, 1);

function inventory(seed: number | string) {
  const sim = createScpSimulator({ seed, clock: () => NOW });
  const state = sim.state();
  return {
    credentials: sim.credentials,
    tenantCredentials: sim.tenantCredentials,
    adminProjectId: sim.adminProjectId,
    poolIds: sim.poolIds,
    goldenServerId: sim.goldenServerId,
    azs: state.azs,
    hosts: state.hosts,
    networks: state.networks,
    projects: state.projects,
    images: state.images,
    servers: state.servers,
  };
}

async function scripted(seed: number) {
  const sim = createScpSimulator({ seed, clock: () => NOW, taskDurationMs: 0 });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => NOW);
  const image = (await call("GET", "/janus/20200725/images", { query: { name: "CentOS" } })).body.data.data[0];
  const created = await call("POST", "/janus/20220725/servers", {
    json: {
      az_id: sim.poolIds[0],
      image_id: image.id,
      name: "d",
      cores: 1,
      sockets: 1,
      memory_mb: 512,
      disks: [{ id: "ide0", size_mb: 512 }],
      networks: [{ vif_id: "net0", connect: 1 }],
      count: 3,
    },
  });
  const made = await call("POST", "/janus/20180725/images/action", {
    json: { server_id: sim.goldenServerId, name: "v", os_type: "l2664", azs: sim.poolIds },
  });
  return { created: created.body.data, made: made.body.data, servers: sim.state().servers.slice(-3) };
}

describe("determinism", () => {
  it("builds the same inventory and credentials from the same seed", () => {
    const a = inventory(42);
    expect(inventory(42)).toEqual(a);
    expect(a.servers).toHaveLength(161);
    expect(a.poolIds.length).toBeGreaterThanOrEqual(2);
    expect(new Set(a.servers.map((s) => s.az_id)).size).toBe(a.poolIds.length);
    expect(new Set(a.servers.map((s) => s.power_state))).toEqual(new Set(["on", "off"]));
    expect(a.servers.find((s) => s.id === a.goldenServerId)).toMatchObject({
      power_state: "off",
      vtool_installed: 1,
      az_id: a.poolIds[0],
    });
    expect(a.projects.map((p) => p.role_type)).toContain("admin");
  });

  it("builds a different inventory from another seed", () => {
    const a = inventory(42);
    const b = inventory("another seed");
    expect(b.poolIds).not.toEqual(a.poolIds);
    expect(b.credentials.accessKey).not.toBe(a.credentials.accessKey);
  });

  it("gives the same ids to the same requests", async () => {
    const first = await scripted(7);
    expect(await scripted(7)).toEqual(first);
    expect(first.created.uuids).toHaveLength(3);
  });
});
