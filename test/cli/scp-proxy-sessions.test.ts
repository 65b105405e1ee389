// The session commands' happy paths, run as the built CLI with --json against the HTTPS simulator's backup lab: the
// checks, a backup held while the test plays the agent in the proxy's guest, a restore of it into a new VM, and the
// proxies' held disks.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { document, type Ran, scpProxy, startOnTerminal, useSimulator } from "./cli-env.js";
import {
  type AgentView,
  areasOf,
  deviceShows,
  heldOn,
  holdSession,
  labOf,
  NOTHING,
  sessionEnv,
} from "./session-env.js";

const sim = useSimulator({ backupLab: true, serverCount: 0 });

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function ok(...args: string[]): Promise<Record<string, unknown>> {
  const ran: Ran = await scpProxy(["--json", ...sim.flags, ...args], sessionEnv(sim));
  expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
  return document(ran);
}

/** Reads every area the CLI listed through the hot-added device, as the agent in the proxy does. */
async function readDisks(view: AgentView): Promise<Map<string, Uint8Array>> {
  const images = new Map<string, Uint8Array>();
  for (const disk of view.disks) {
    await deviceShows(sim, disk);
    const image = new Uint8Array(disk.sizeBytes);
    for (const area of areasOf(disk)) {
      image.set(sim.server.guest.readDevice(disk.proxyId, disk.serial, area.offset, area.length), area.offset);
    }
    images.set(disk.diskId, image);
  }
  return images;
}

describe("scp-proxy session commands with --json", () => {
  it("backup check: every check passed and the proxy a session would use", async () => {
    const lab = labOf(sim);
    const [poolA] = sim.server.poolIds as [string];
    const result = (await ok("backup", "check", lab.vms.running)) as {
      checks: { ok: boolean }[];
      warnings: string[];
      proxy: { serverId: string; freeSlots: number };
    };
    expect(result.checks.length).toBeGreaterThan(5);
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(result.proxy).toMatchObject({ serverId: lab.proxies[poolA], freeSlots: expect.any(Number) });
  });

  it("backup session: held while the agent reads every area, then released by stdin and committed", async () => {
    const lab = labOf(sim);
    const held = await holdSession(sim, ["backup", "session", lab.vms.running, "--commit"]);
    const { view } = held;
    expect(view.disks.map((d) => d.diskId)).toEqual(["virtio0", "virtio1"]);
    expect(heldOn(sim, lab.vms.running)).toEqual({ hotAdded: 2, locks: 1, snapshots: 1 });
    const listed = (await ok("proxies", "--held-disks")) as { proxies: { serverId: string; heldDisks: unknown[] }[] };
    expect(listed.proxies.find((p) => p.serverId === view.proxy.serverId)?.heldDisks).toHaveLength(2);

    const images = await readDisks(view);
    for (const [diskId, image] of images) {
      const frozen = sim.server.disks.sha256(lab.vms.running, diskId, { snapshotId: view.snapshot?.id ?? "" });
      expect(sha256(image), diskId).toBe(frozen);
    }
    held.run.child.stdin.end("\n");
    const ran = await held.run.ended;
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
    const result = document(ran);
    expect(result).toMatchObject({
      ...{ kind: "backup", sessionId: view.sessionId, endedBy: "enter", leftovers: [] },
      commit: { snapshotId: view.snapshot?.id, checkpointId: view.snapshot?.checkpointId },
    });
    expect(heldOn(sim, lab.vms.running)).toEqual(NOTHING);

    // The backup's JSON result is what a restore into a new VM starts from; the agent writes the images back.
    const saved = join(held.dir, "backup.json");
    await writeFile(saved, ran.stdout);
    const [poolA] = sim.server.poolIds as [string];
    const restore = await holdSession(sim, [
      ...["restore", "session", "--new-vm-from", saved, "--pool", poolA, "--name", "restored-by-cli", "--commit"],
    ]);
    expect(restore.view).toMatchObject({ kind: "restore", created: true });
    for (const disk of restore.view.disks) {
      await deviceShows(sim, disk);
      sim.server.guest.writeDevice(disk.proxyId, disk.serial, 0, images.get(disk.diskId) ?? new Uint8Array());
    }
    restore.run.child.stdin.end();
    const restored = await restore.run.ended;
    expect(restored.code).toBe(0);
    expect(document(restored)).toMatchObject({ endedBy: "stdin-end", commit: { serverId: restore.view.serverId } });
    for (const [diskId, image] of images) {
      expect(sim.server.disks.sha256(restore.view.serverId, diskId), diskId).toBe(sha256(image));
    }
    expect(heldOn(sim, restore.view.serverId)).toEqual(NOTHING);
  }, 120_000);

  it("backup session refused by a pre-backup check: exit 3, the check in words, nothing changed", async () => {
    const vm = labOf(sim).refusals.turboMode;
    const ran = await scpProxy(["--json", ...sim.flags, "backup", "session", vm, "--commit"], sessionEnv(sim));
    expect(ran.code).toBe(3);
    const { error } = document(ran) as { error: { name: string; checks: { name: string; ok: boolean }[] } };
    expect(error.name).toBe("ScpPreflightError");
    expect(error.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["turbo mode off"]);
    expect(ran.stderr).toContain("✗ turbo mode off: turbo mode is on");
    expect(heldOn(sim, vm)).toEqual(NOTHING);
  });

  it("on a terminal: held until Enter, then the question's y commits; the session is closed", async () => {
    const vm = labOf(sim).vms.otherPool;
    const run = startOnTerminal([...sim.flags, "backup", "session", vm], sessionEnv(sim));
    const shows = (text: string) =>
      vi.waitFor(() => expect(run.out.stdout).toContain(text), { timeout: 60_000, interval: 100 });
    await shows("Held: press Enter");
    expect(heldOn(sim, vm)).toEqual({ hotAdded: 1, locks: 1, snapshots: 1 });
    run.child.stdin.write("\n");
    await shows("Commit it as the base of the next incremental? [y/N]");
    run.child.stdin.write("y\n");
    const ran = await run.ended;
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/committed: snapshot \S+, checkpoint \d+: the next incremental is --since \d+/);
    expect(heldOn(sim, vm)).toEqual(NOTHING);
  }, 60_000);

  it("sweep: nothing left behind gives three empty lists", async () => {
    const dir = join(sim.dir, "no-journals");
    expect(await ok("sweep", "--dry-run", "--state-dir", dir)).toEqual({ plan: [], removed: [], remaining: [] });
    expect(await ok("sweep", "--state-dir", dir)).toEqual({ plan: [], removed: [], remaining: [] });
  });
});
