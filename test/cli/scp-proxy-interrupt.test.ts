// Ctrl-C during `fleet deploy`: the run aborts through the workflow's AbortSignal and still removes what it created;
// a second Ctrl-C exits at once. The exit code says it was interrupted.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { type BackupProxy, findBackupProxies, importProxyImage } from "../../src/index.js";
import { buildOnce, document, SCP_PROXY, type Spawned, simulatorForCli, start } from "./cli-env.js";

let sim: Awaited<ReturnType<typeof simulatorForCli>> | undefined;

beforeAll(() => {
  buildOnce();
}, 300_000);

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator whose new proxies wait for vmtools far longer than the test, and a deploy of two of them. */
async function deployThatWaits(): Promise<{ deploy: Spawned; proxies: () => Promise<BackupProxy[]> }> {
  sim = await simulatorForCli({ taskDurationMs: 50, vmtoolsDelayMs: 600_000 });
  const [poolA] = sim.server.poolIds as [string];
  const vma = join(sim.dir, "proxy.vma");
  await writeFile(vma, Buffer.alloc(64 * 1024, 1));
  const { imageId } = await importProxyImage(sim.scp, { file: vma, imageName: "proxy-v1", azIds: [poolA] });
  const spec = join(sim.dir, "fleet.yaml");
  await writeFile(spec, `fleetId: acme\nimageId: ${imageId}\npools:\n  - azId: ${poolA}\n    count: 2\n`);
  const deploy = start(process.execPath, [SCP_PROXY, "--json", ...sim.flags, "fleet", "deploy", spec], sim.env);
  const scp = sim.scp;
  const proxies = () => findBackupProxies(scp, { fleetId: "acme" });
  // Both proxies are created and powered on: the run now waits for vmtools.
  await vi.waitFor(
    async () => {
      const found = await proxies();
      expect(found.map((p) => p.powerState)).toEqual(["on", "on"]);
    },
    { timeout: 60_000, interval: 200 },
  );
  return { deploy, proxies };
}

it("SIGINT aborts the deploy, which removes the proxies it created and exits 130", async () => {
  const { deploy, proxies } = await deployThatWaits();
  deploy.child.kill("SIGINT");
  const ran = await deploy.ended;
  expect(ran.code).toBe(130);
  const { error } = document(ran) as { error: { name: string; leftovers: { state: string }[]; message: string } };
  expect(error.name).toBe("ScpWorkflowError");
  expect(error.message).toContain("interrupted by SIGINT");
  expect(error.leftovers.map((l) => l.state)).toEqual(["removed", "removed"]);
  expect(ran.stderr).toContain("SIGINT: stopping; what this run made is being removed");
  expect(await proxies()).toEqual([]);
}, 120_000);

it("a second SIGINT exits at once, leaving what the clean-up had not removed yet", async () => {
  const { deploy, proxies } = await deployThatWaits();
  // Deletions never finish: the clean-up would wait its whole budget.
  sim?.server.faults.add({ match: "DELETE /janus/20180725/servers/{server_id}", kind: "stuck-task" });
  deploy.child.kill("SIGINT");
  await vi.waitFor(() => expect(deploy.out.stderr).toContain("SIGINT: stopping"), { timeout: 30_000 });
  deploy.child.kill("SIGINT");
  const ran = await deploy.ended;
  expect(ran.code).toBe(130);
  expect(ran.stderr).toContain("SIGINT again: exiting now, without waiting for the clean-up");
  expect(document(ran)).toEqual({ error: { name: "Interrupted", message: expect.any(String), exitCode: 130 } });
  expect((await proxies()).length).toBeGreaterThan(0);
}, 120_000);
