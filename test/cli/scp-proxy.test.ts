// Every scp-proxy command's happy path, run as the built CLI with --json against the HTTPS simulator.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findBackupProxies } from "../../src/index.js";
import { ROOT } from "../package/packed.js";
import { document, type Ran, scpProxy, useSimulator } from "./cli-env.js";

const sim = useSimulator();

/** Runs a command with --json and expects it to succeed with one JSON document and a quiet stderr. */
async function ok(...args: string[]): Promise<Record<string, unknown>> {
  const ran: Ran = await scpProxy(["--json", ...sim.flags, ...args], sim.env);
  expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
  return document(ran);
}

/** Publishes the golden VM as an image in one pool. */
function publish(name: string, pool: string): Promise<Record<string, unknown>> {
  return ok("image", "publish", "--vm", sim.server.goldenServerId, "--name", name, "--pool", pool);
}

describe("scp-proxy with --json", () => {
  it("version: its own and the platform's", async () => {
    expect(await ok("version")).toEqual({
      scpProxy: expect.stringMatching(/^\d+\.\d+\.\d+/),
      node: process.version,
      platform: expect.objectContaining({ version: "6.11.3" }),
    });
  });

  it("pools: the platform's resource pools", async () => {
    const { pools } = (await ok("pools")) as { pools: { id: string; status: string }[] };
    expect(pools.map((p) => p.id)).toEqual(sim.server.poolIds);
  });

  it("image export, import and publish: files and images with their digests", async () => {
    const [poolA, poolB] = sim.server.poolIds as [string, string];
    const file = join(sim.dir, "golden.vma");
    const exported = await ok(
      "image",
      "export",
      "--vm",
      sim.server.goldenServerId,
      "--name",
      "golden-src",
      "--file",
      file,
    );
    expect(exported).toMatchObject({ file, sizeBytes: readFileSync(file).length, sha256: expect.any(String) });

    const imported = await ok("image", "import", "--file", file, "--name", "imported", "--pool", `${poolA},${poolB}`);
    expect(imported).toMatchObject({ azIds: [poolA, poolB], sha256: exported.sha256, reused: false });

    const published = await publish("proxy-v1", poolA);
    expect(published).toMatchObject({ azIds: [poolA], reused: false, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const image = await sim.scp.images.find(published.imageId as string);
    expect(image).toMatchObject({ name: "proxy-v1", status: "active" });
  });

  it("fleet plan, deploy, status, proxies and destroy: one fleet from a YAML spec, start to end", async () => {
    const [poolA] = sim.server.poolIds as [string];
    const published = await publish("proxy-v1", poolA);
    const spec = join(sim.dir, "fleet.yaml");
    await writeFile(spec, `fleetId: acme\nimageId: ${published.imageId}\npools:\n  - azId: ${poolA}\n    count: 2\n`);

    const plan = (await ok("fleet", "plan", spec)) as { plan: { summary: { create: number } }; created: string[] };
    expect(plan.plan.summary.create).toBe(2);
    expect(await findBackupProxies(sim.scp, { fleetId: "acme" })).toEqual([]);

    const deployed = (await ok("fleet", "deploy", spec)) as { created: string[]; proxies: { ready: boolean }[] };
    expect(deployed.created).toHaveLength(2);
    expect(deployed.proxies.map((p) => p.ready)).toEqual([true, true]);

    const status = await ok("fleet", "status", spec);
    expect(status).toMatchObject({ fleetId: "acme", pools: [{ azId: poolA, want: 2, have: 2, ready: 2 }] });
    const listed = (await ok("proxies", "--fleet", "acme")) as { proxies: { serverId: string }[] };
    expect(listed.proxies.map((p) => p.serverId).sort()).toEqual([...deployed.created].sort());

    const dryRun = (await ok("fleet", "destroy", "acme", "--dry-run")) as { targets: unknown[]; removed: string[] };
    expect({ targets: dryRun.targets.length, removed: dryRun.removed }).toEqual({ targets: 2, removed: [] });
    const destroyed = (await ok("fleet", "destroy", "acme", "--yes")) as { removed: string[] };
    expect(destroyed.removed.sort()).toEqual([...deployed.created].sort());
    expect(await findBackupProxies(sim.scp, { fleetId: "acme" })).toEqual([]);
  });

  it("a JSON spec works the same as YAML", async () => {
    const spec = join(sim.dir, "fleet.json");
    const [poolA] = sim.server.poolIds as [string];
    await writeFile(
      spec,
      JSON.stringify({ fleetId: "json-fleet", imageId: "img-none", pools: [{ azId: poolA, count: 0 }] }),
    );
    const ran = await scpProxy(["--json", ...sim.flags, "fleet", "plan", spec], sim.env);
    // It got past the spec to the platform's preflight, which knows no such image.
    expect(ran.code).toBe(3);
    expect(document(ran)).toMatchObject({ error: { name: "ScpPreflightError" } });
  });
});

describe("the package's entries", () => {
  it("the client's bundles load none of the CLI's terminal libraries", () => {
    for (const entry of ["dist/index.js", "dist/index.cjs", "dist/simulator.js"]) {
      const code = readFileSync(join(ROOT, entry), "utf8");
      for (const library of ["commander", "cli-progress", "cli-table3", "picocolors"]) {
        expect(code, `${entry} mentions ${library}`).not.toContain(library);
      }
    }
  });

  it("the CLI's bundle comes with the licence of every library it carries", () => {
    const notices = readFileSync(join(ROOT, "dist/cli/THIRD-PARTY-NOTICES.md"), "utf8");
    const sections = new Map(
      notices
        .split("\n## ")
        .slice(1)
        .map((section) => [section.slice(0, section.indexOf("@")), section] as const),
    );
    for (const library of ["commander", "cli-progress", "cli-table3", "picocolors", "yaml", "string-width"]) {
      expect(sections.get(library), library).toMatch(/^\S+@\d+\.\d+\.\d+ \((MIT|ISC)\)\n\n[\s\S]*Permission/);
    }
  });
});
