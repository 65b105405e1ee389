// What the session commands refuse, run as the built CLI against the HTTPS backup lab: `backup check` gives the same
// refusals as opening a session does, and `fleet destroy` keeps a proxy that holds a disk unless --force.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  deployBackupProxyFleet,
  findBackupProxies,
  importProxyImage,
  openBackupSession,
  ScpPreflightError,
} from "../../src/index.js";
import { document, scpProxy, useSimulator } from "./cli-env.js";
import { labOf, sessionEnv } from "./session-env.js";

const sim = useSimulator({ backupLab: true, serverCount: 0 });

/** The failing checks of a CLI run that was refused (exit 3). */
async function cliRefusal(...args: string[]): Promise<string[]> {
  const ran = await scpProxy(["--json", ...sim.flags, ...args], sessionEnv(sim));
  expect(ran.code, ran.stderr).toBe(3);
  const { error } = document(ran) as { error: { name: string; checks: { name: string; ok: boolean }[] } };
  expect(error.name).toBe("ScpPreflightError");
  return error.checks.filter((c) => !c.ok).map((c) => c.name);
}

/** The failing checks of the SDK's own refusal to open a backup session. */
async function sdkRefusal(serverId: string, sinceCheckpointId?: number): Promise<string[]> {
  const input = { serverId, ...(sinceCheckpointId ? { sinceCheckpointId } : {}) };
  const error = await openBackupSession(sim.scp, input, { stateDir: join(sim.dir, "state") }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  return (error as ScpPreflightError).checks.filter((c) => !c.ok).map((c) => c.name);
}

describe("backup check refuses what openBackupSession refuses, in the same words", () => {
  it("each lab VM that fails a pre-backup check", async () => {
    const { refusals } = labOf(sim);
    const vms = [refusals.notVm, refusals.turboMode, refusals.backupProxy, refusals.deskRevertMode];
    for (const vm of [...vms, refusals.internalSnapshot]) {
      const cli = await cliRefusal("backup", "check", vm);
      expect(cli.length, vm).toBeGreaterThan(0);
      expect(cli, vm).toEqual(await sdkRefusal(vm));
    }
  }, 60_000);

  it("an incremental of a VM whose disks CBT does not track", async () => {
    const vm = labOf(sim).vms.stopped;
    const cli = await cliRefusal("backup", "check", vm, "--since", "1");
    expect(cli).toEqual(["CBT on every disk"]);
    expect(cli).toEqual(await sdkRefusal(vm, 1));
  });

  it("a VM of a VMware pool: the check in words, from both (before the platform would refuse its snapshot reads)", async () => {
    const vm = labOf(sim).refusals.notHci;
    expect(await cliRefusal("backup", "check", vm)).toEqual(["in an HCI resource pool"]);
    expect(await sdkRefusal(vm, 0)).toEqual(["in an HCI resource pool"]);
  });
});

it("fleet destroy refuses a proxy that holds another VM's disk (exit 3); --force removes the disk, then the proxy", async () => {
  const [poolA] = sim.server.poolIds as [string];
  const vma = join(sim.dir, "proxy.vma");
  await writeFile(vma, Buffer.alloc(64 * 1024, 1));
  const { imageId } = await importProxyImage(sim.scp, { file: vma, imageName: "proxy-v1", azIds: [poolA] });
  await deployBackupProxyFleet(sim.scp, { fleetId: "held", imageId, pools: [{ azId: poolA, count: 1 }] });
  const [proxy] = await findBackupProxies(sim.scp, { fleetId: "held" });
  const proxyId = proxy?.serverId as string;
  const disk = { serverId: labOf(sim).vms.stopped, diskId: "virtio0", application: "restore" as const };
  await sim.scp.tasks.wait(await sim.scp.hotAdd.attach(proxyId, [disk]));

  expect(await cliRefusal("fleet", "destroy", "held", "--yes")).toEqual([expect.stringContaining(proxy?.name ?? "")]);
  expect(sim.server.state().hotAddedDisks[proxyId]).toHaveLength(1);
  const ran = await scpProxy(["--json", ...sim.flags, "fleet", "destroy", "held", "--yes", "--force"], sim.env);
  expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
  expect(document(ran)).toMatchObject({ removed: [proxyId], targets: [{ serverId: proxyId, heldDisks: [disk] }] });
  expect(sim.server.state().hotAddedDisks).toEqual({});
  expect(await findBackupProxies(sim.scp, { fleetId: "held" })).toEqual([]);
}, 60_000);
