// Reliability of the fleet workflows under concurrent change, faults, aborts and bad options.
import { expect, test } from "vitest";
import {
  createScpClient,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  findBackupProxies,
  type ScpClient,
  ScpTaskError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";
import { fleet, useVmaFile, withProxyImage as withImage } from "./fleet-env.js";

const vma = useVmaFile();

type Intercept = Parameters<typeof simulated>[1];

/** The fleet test set-up, plus another administrator's client on the same platform, outside the recorded calls. */
async function withProxyImage(options: Parameters<typeof simulated>[0] = {}, intercept?: Intercept) {
  const env = await withImage(vma.path, options, intercept);
  const other: ScpClient = createScpClient({
    baseUrl: "https://scp.sim.test",
    auth: { type: "signature", accessKey: env.sim.credentials.accessKey, secretKey: env.sim.credentials.secretKey },
    fetch: env.sim.fetch,
  });
  return { ...env, other };
}

const isList = (request: Request) =>
  request.method === "GET" && new URL(request.url).pathname === "/janus/20240725/servers";

test("unrelated VMs deleted by someone else while a re-run reads never make it create a proxy twice", async () => {
  // Place the fleet's proxies across the boundary of the first page of the full VM list (100 VMs).
  const probe = simulated();
  const seeded = (await probe.scp.servers.list({ page_size: 1 })).totalSize;
  const armed = { on: false, deleted: 0 };
  let other: ScpClient | undefined;
  const deleteUnrelated = async (request: Request) => {
    if (armed.on && isList(request) && armed.deleted < 5 && other) {
      const victim = (await other.servers.list({ page_size: 10 })).items.find(
        (s) => !s.name.startsWith("acme-") && s.status === "stopped",
      );
      if (victim) {
        armed.deleted++;
        await other.servers.delete(victim.id, { force: true });
      }
    }
    return undefined;
  };
  const env = await withProxyImage({ serverCount: 40 + (98 - seeded) }, deleteUnrelated);
  other = env.other;
  await deployBackupProxyFleet(env.scp, fleet(env.imageId, { [env.poolA]: 4 }), FAST);
  armed.on = true;
  const rerun = await deployBackupProxyFleet(env.scp, fleet(env.imageId, { [env.poolA]: 4 }), FAST);
  armed.on = false;
  expect(rerun.created).toEqual([]);
  const names = env.sim
    .state()
    .servers.filter((s) => s.name.startsWith("acme-") && !s.recycled)
    .map((s) => s.name);
  expect(names).toHaveLength(4);
  expect(new Set(names).size).toBe(4);
});

test("a proxy that appears after the plan is adopted, not created a second time", async () => {
  let inject: (() => Promise<void>) | undefined;
  const raceAfterPlan = async (request: Request) => {
    if (inject && isList(request)) {
      const run = inject;
      inject = undefined;
      // Answer the plan's read first, then let "another run" create the first proxy.
      const { sim } = env;
      const answer = await sim.fetch(request);
      await run();
      return answer;
    }
    return undefined;
  };
  const env = await withProxyImage({}, raceAfterPlan);
  const name = `acme-${env.poolA.replace(/-/g, "").slice(0, 8)}-01`;
  inject = async () => {
    const made = await env.other.servers.create({
      az_id: env.poolA,
      image_id: env.imageId,
      name,
      // The fleet's ownership marker, as a concurrent run of the same fleet writes it.
      description: `scp-sdk-proxy/1 fleet=acme image=${env.imageId} created=2025-01-01T00:00:00.000Z init=-`,
      cores: 1,
      sockets: 1,
      memory_mb: 1024,
      disks: [{ id: "ide0", size_mb: 10240 }],
      networks: [],
    });
    await env.other.tasks.wait(made, FAST);
  };
  const result = await deployBackupProxyFleet(env.scp, fleet(env.imageId, { [env.poolA]: 2 }), FAST);
  const named = env.sim.state().servers.filter((s) => s.name === name && !s.recycled);
  expect(named).toHaveLength(1);
  expect(result.adopted).toContain(named[0]?.id);
  expect(result.proxies.map((p) => [p.name, p.ready])).toEqual([
    [name, true],
    [name.replace(/01$/, "02"), true],
  ]);
});

test("an aborted run whose cleanup cannot finish gives up after cleanupMaxWaitMs and lists what remains", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({ kind: "stuck-task", match: "DELETE /janus/20180725/servers/*" });
  const controller = new AbortController();
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    cleanupMaxWaitMs: 200,
    signal: controller.signal,
    onProgress: (e) => e.step === "vmtools" && e.phase === "done" && controller.abort(new Error("stop")),
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  const [proxy] = await findBackupProxies(scp, { fleetId: "acme" });
  expect(error.leftovers).toEqual([{ kind: "server", id: proxy?.serverId, state: "remains" }]);
  expect(error.message).toContain(`left behind: server ${proxy?.serverId}`);
});

test("a delete answered without a task id whose task fails says why instead of waiting for maxWaitMs", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  sim.faults.add({ kind: "task-failure", match: "DELETE /janus/20180725/servers/*", reason: "datastore locked" });
  const error = await destroyBackupProxyFleet(scp, { fleetId: "acme" }, FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.step).toBe("delete");
  expect(error.cause).toBeInstanceOf(ScpTaskError);
  expect(error.message).toContain("datastore locked");
  expect(error.leftovers).toEqual([expect.objectContaining({ kind: "server", state: "remains" })]);
});

test("an abort during the preflight ends in a workflow error at that step, with nothing left behind", async () => {
  const controller = new AbortController();
  const reason = new Error("operator cancelled");
  const abortInPreflight = (request: Request) => {
    if (new URL(request.url).pathname === "/janus/20180725/azs") {
      controller.abort(reason);
    }
    return undefined;
  };
  const { scp, poolA, imageId, mutations } = await withProxyImage({}, abortInPreflight);
  const before = mutations().length;
  for (const run of [
    () => deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), { signal: controller.signal }),
    () => destroyBackupProxyFleet(scp, { fleetId: "acme" }, { signal: controller.signal }),
  ]) {
    const error = await run().catch((e) => e);
    expect(error).toBeInstanceOf(ScpWorkflowError);
    expect(error.cause).toBe(reason);
    expect(["preflight", "read-fleet"]).toContain(error.step);
    expect(error.leftovers).toEqual([]);
  }
  expect(mutations().length).toBe(before);
});

test("durations that are negative, zero, fractional or infinite are refused before any request", async () => {
  const { scp, poolA, imageId, calls } = await withProxyImage();
  const before = calls.length;
  const input = fleet(imageId, { [poolA]: 1 });
  for (const bad of [-5, 0, 0.5, Number.POSITIVE_INFINITY]) {
    for (const key of ["pollIntervalMs", "maxIntervalMs", "maxWaitMs", "cleanupMaxWaitMs", "vmtoolsMaxWaitMs"]) {
      await expect(deployBackupProxyFleet(scp, input, { [key]: bad })).rejects.toBeInstanceOf(ScpValidationError);
    }
    await expect(destroyBackupProxyFleet(scp, { fleetId: "acme" }, { pollIntervalMs: bad })).rejects.toBeInstanceOf(
      ScpValidationError,
    );
  }
  // The old name of maxWaitMs is refused, not silently ignored.
  await expect(deployBackupProxyFleet(scp, input, { timeoutMs: 5 } as never)).rejects.toThrow(/timeoutMs/);
  expect(calls.length).toBe(before);
});
