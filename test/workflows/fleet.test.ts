import { expect, test } from "vitest";
import {
  BACKUP_PROXY_OS_NAME,
  type DeployBackupProxyFleetInput,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  findBackupProxies,
  importProxyImage,
  type ScpClient,
  ScpPreflightError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";
import { fleet, useVmaFile, withProxyImage as withImage } from "./fleet-env.js";

const vma = useVmaFile();

/** A simulator with a published proxy image in both pools. */
function withProxyImage(options: Parameters<typeof simulated>[0] = {}, intercept?: Parameters<typeof simulated>[1]) {
  return withImage(vma.path, options, intercept);
}

async function fleetServers(scp: ScpClient) {
  return findBackupProxies(scp, { fleetId: "acme" });
}

test("a deployment creates ready, marked proxies in every pool and runs the init script once in each", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  const events: string[] = [];
  const result = await deployBackupProxyFleet(
    scp,
    fleet(imageId, { [poolA]: 2, [poolB]: 1 }, { initScript: "echo ready" }),
    {
      ...FAST,
      onProgress: (e) => e.phase === "done" && events.push(`${e.proxy}:${e.step}`),
    },
  );
  expect(result.created).toHaveLength(3);
  expect(result.proxies.map((p) => [p.azId, p.ready, p.osName, p.imageId])).toEqual(
    [
      [poolA, true, BACKUP_PROXY_OS_NAME, imageId],
      [poolA, true, BACKUP_PROXY_OS_NAME, imageId],
      [poolB, true, BACKUP_PROXY_OS_NAME, imageId],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))) as never,
  );
  expect(result.proxies.map((p) => p.name).sort()).toEqual(
    [
      `acme-${poolA.replace(/-/g, "").slice(0, 8)}-01`,
      `acme-${poolA.replace(/-/g, "").slice(0, 8)}-02`,
      `acme-${poolB.replace(/-/g, "").slice(0, 8)}-01`,
    ].sort(),
  );
  const commands = sim.state().guestCommands;
  for (const id of result.created) {
    expect(commands[id]).toEqual(["echo ready"]);
  }
  const first = result.proxies[0]?.name as string;
  expect(events.filter((e) => e.startsWith(`${first}:`))).toEqual(
    ["create", "mark", "power-on", "vmtools", "init", "verify"].map((s) => `${first}:${s}`),
  );
});

test("a second run with the same input changes nothing and sends no mutating request", async () => {
  const { scp, poolA, imageId, mutations } = await withProxyImage();
  const input = fleet(imageId, { [poolA]: 2 }, { initScript: "echo ready" });
  const first = await deployBackupProxyFleet(scp, input, FAST);
  const before = mutations().length;
  const again = await deployBackupProxyFleet(scp, input, FAST);
  expect(again.plan.unchanged).toBe(true);
  expect(again.created).toEqual([]);
  expect(again.adopted.sort()).toEqual([...first.created].sort());
  expect(mutations().length).toBe(before);
});

test("dryRun returns the plan and changes nothing", async () => {
  const { scp, poolA, poolB, imageId, mutations } = await withProxyImage();
  const before = mutations().length;
  const { plan, created } = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 2, [poolB]: 1 }), {
    dryRun: true,
  });
  expect(plan.summary).toMatchObject({ create: 3, keep: 0, remove: 0 });
  expect(plan.warnings.join()).toContain("no networks given");
  expect(created).toEqual([]);
  expect(mutations().length).toBe(before);
});

test("a VM create whose answer is lost (apply-then-drop) still ends with exactly the asked count", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({ kind: "apply-then-drop", match: "POST /janus/20220725/servers", count: 1 });
  const result = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 3 }), FAST);
  const proxies = await fleetServers(scp);
  expect(proxies).toHaveLength(3);
  expect(new Set(proxies.map((p) => p.name)).size).toBe(3);
  expect(proxies.every((p) => p.ready)).toBe(true);
  expect(result.created).toHaveLength(3);
});

test("a lost create answer while SCP is slow to list the VM still creates exactly one (one idempotency token)", async () => {
  let hidden = 6;
  let created = false;
  // SCP lists the new VM only a moment later: the first lookups by name after the create come back empty.
  const lagging = (request: Request) => {
    const url = new URL(request.url);
    created ||= request.method === "POST" && url.pathname === "/janus/20220725/servers";
    if (
      created &&
      request.method === "GET" &&
      url.pathname === "/janus/20240725/servers" &&
      url.searchParams.has("query_name") &&
      hidden > 0
    ) {
      hidden--;
      return Response.json({
        errcode: "",
        message: "",
        data: { data: [], page_num: 0, page_size: 100, total_size: 0, next_page_num: "" },
      });
    }
    return undefined;
  };
  const { scp, sim, poolA, imageId, calls } = await withProxyImage({}, lagging);
  sim.faults.add({ kind: "apply-then-drop", match: "POST /janus/20220725/servers", count: 1 });
  const result = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  const creates = calls.filter((c) => c.method === "POST" && c.path === "/janus/20220725/servers");
  expect(creates.length).toBeGreaterThan(1);
  expect(sim.state().servers.filter((s) => s.name.startsWith("acme-") && !s.recycled)).toHaveLength(1);
  expect(result.created).toHaveLength(1);
  expect(result.proxies.map((p) => p.ready)).toEqual([true]);
});

test("an abort while a create is in flight still tracks that VM and removes it", async () => {
  const controller = new AbortController();
  const reason = new Error("stop now");
  const abortOnCreate = (request: Request) => {
    if (request.method === "POST" && new URL(request.url).pathname === "/janus/20220725/servers") {
      controller.abort(reason);
    }
    return undefined;
  };
  const { scp, poolA, imageId } = await withProxyImage({}, abortOnCreate);
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    signal: controller.signal,
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.cause).toBe(reason);
  expect(error.leftovers).toEqual([expect.objectContaining({ kind: "server", state: "removed" })]);
  expect(await fleetServers(scp)).toEqual([]);
});

test("an init script that fails removes what the run created and says so", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({
    kind: "task-failure",
    match: "POST /janus/20180725/custom/orchestration-tasks/action",
    reason: "exit status 3",
  });
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 2 }, { initScript: "exit 3" }), {
    ...FAST,
    concurrency: 1,
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.step).toBe("init");
  expect(error.target).toMatch(/^acme-/);
  expect(error.message).toContain("exit status 3");
  expect(error.message).toContain("nothing left behind");
  expect(error.leftovers.length).toBeGreaterThan(0);
  expect(error.leftovers.every((l: { state: string }) => l.state === "removed")).toBe(true);
  expect(await fleetServers(scp)).toEqual([]);
});

test("a failed create task leaves nothing behind", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({ kind: "task-failure", match: "POST /janus/20220725/servers", count: 1, reason: "no capacity" });
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 2 }), { ...FAST, concurrency: 1 }).catch(
    (e) => e,
  );
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.message).toContain("no capacity");
  expect(await fleetServers(scp)).toEqual([]);
});

test("with cleanupOnError false the error lists exactly what remains", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({ kind: "task-failure", match: "POST /janus/20180725/servers/*/start", reason: "host down" });
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    cleanupOnError: false,
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  const remaining = (await fleetServers(scp)).map((p) => p.serverId);
  expect(error.leftovers).toEqual(remaining.map((id) => ({ kind: "server", id, state: "remains" })));
  expect(error.message).toContain(`left behind: server ${remaining[0]}`);
});

test("an abort stops new work at once and removes what the run created", async () => {
  const { scp, poolA, imageId, mutations } = await withProxyImage();
  const controller = new AbortController();
  const reason = new Error("operator cancelled");
  // concurrency bounds the changes in flight per pool, not the proxies: other proxies' creates may be under way
  // when the first one's vmtools is up. What matters: after the abort, nothing but cleanup is sent.
  let sentAtAbort = -1;
  const pending = deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 4 }), {
    ...FAST,
    concurrency: 1,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.step === "vmtools" && e.phase === "done" && sentAtAbort < 0) {
        sentAtAbort = mutations().length;
        controller.abort(reason);
      }
    },
  });
  const error = await pending.catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.cause).toBe(reason);
  const afterAbort = mutations().slice(sentAtAbort);
  expect(afterAbort.length).toBeGreaterThan(0);
  expect(afterAbort.filter((c) => c.method !== "DELETE")).toEqual([]);
  expect(await fleetServers(scp)).toEqual([]);
});

test("bad input is refused before any request", async () => {
  const { scp, poolA, imageId, calls } = await withProxyImage();
  const before = calls.length;
  const bad = [
    { ...fleet(imageId, { [poolA]: 2 }), fleetId: "Not Valid!" },
    fleet(imageId, { [poolA]: 1000 }),
    {
      ...fleet(imageId, { [poolA]: 1 }),
      pools: [
        { azId: poolA, count: 1 },
        { azId: poolA, count: 2 },
      ],
    },
    { ...fleet(imageId, { [poolA]: 1 }), imageType: "public" },
  ];
  for (const input of bad) {
    await expect(deployBackupProxyFleet(scp, input as DeployBackupProxyFleetInput)).rejects.toBeInstanceOf(
      ScpValidationError,
    );
  }
  expect(calls.length).toBe(before);
});

test("an older platform is refused with zero mutating requests", async () => {
  const { scp, sim, poolA, imageId, mutations } = await withProxyImage();
  sim.faults.setScpVersion("6.11.1");
  const before = mutations().length;
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 })).catch((e) => e);
  expect(error).toBeInstanceOf(ScpUnsupportedVersionError);
  expect(error.message).toContain("needs SCP 6.11.3 or later; this platform runs 6.11.1");
  expect(mutations().length).toBe(before);
});

test("a public or tenant-owned image is refused with zero mutating requests", async () => {
  const { scp, sim, mutations } = simulated();
  const poolA = sim.poolIds[0] as string;
  const images = sim.state().images;
  const publicImage = images.find((i) => i.image_type === "public");
  const tenantImage = images.find((i) => i.image_type === "private" && i.owner_id === sim.tenantProjectId);
  expect(publicImage && tenantImage).toBeTruthy();
  for (const [image, failing] of [
    [publicImage, "image is private"],
    [tenantImage, "image is owned by the administrator"],
  ] as const) {
    const error = await deployBackupProxyFleet(scp, fleet(image?.id as string, { [poolA]: 1 })).catch((e) => e);
    expect(error).toBeInstanceOf(ScpPreflightError);
    expect(error.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name)).toContain(failing);
  }
  expect(mutations()).toEqual([]);
});

test("scaling down keeps the surplus without prune and removes it with prune", async () => {
  const { scp, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 3, [poolB]: 1 }), FAST);
  const kept = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  expect(kept.plan.summary).toMatchObject({ surplus: 3, remove: 0 });
  expect(kept.removed).toEqual([]);
  expect(await fleetServers(scp)).toHaveLength(4);
  const pruned = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), { ...FAST, prune: true });
  expect(pruned.removed).toHaveLength(3);
  const left = await fleetServers(scp);
  expect(left.map((p) => [p.azId, p.name.endsWith("-01")])).toEqual([[poolA, true]]);
});

test("an image change replaces proxies rolling, never below count - maxUnavailable ready", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 3 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  const lowest: number[] = [];
  const readyNow = () =>
    sim
      .state()
      .servers.filter(
        (s) =>
          s.az_id === poolA && s.os_name === BACKUP_PROXY_OS_NAME && s.power_state === "on" && s.vtool_installed === 1,
      ).length;
  const result = await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 3 }), {
    ...FAST,
    onProgress: () => lowest.push(readyNow()),
  });
  expect(result.plan.summary).toMatchObject({ replace: 3, create: 0 });
  expect(result.removed).toHaveLength(3);
  expect(Math.min(...lowest)).toBe(2);
  const proxies = await fleetServers(scp);
  expect(proxies.map((p) => [p.imageId, p.ready])).toEqual([
    [v2.imageId, true],
    [v2.imageId, true],
    [v2.imageId, true],
  ]);
});

test("a failed replacement says which existing proxy it deleted before failing", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  const first = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  sim.faults.add({ kind: "task-failure", match: "POST /janus/20180725/servers/*/start", reason: "host down" });
  const error = await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 1 }), FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.changes).toEqual([`deleted proxy ${first.proxies[0]?.name} (${first.created[0]})`]);
  expect(error.message).toContain("before failing it deleted proxy");
});

test("with maxUnavailable 0 successors are ready before their predecessors go", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 2 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  const ready: number[] = [];
  const readyNow = () =>
    sim.state().servers.filter((s) => s.az_id === poolA && s.power_state === "on" && s.vtool_installed === 1).length;
  await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 2 }), {
    ...FAST,
    maxUnavailable: 0,
    onProgress: () => ready.push(readyNow()),
  });
  expect(Math.min(...ready)).toBeGreaterThanOrEqual(2);
  expect((await fleetServers(scp)).map((p) => p.imageId)).toEqual([v2.imageId, v2.imageId]);
});

test("unmarked VMs named like proxies are never touched, and their names are not reused", async () => {
  const { scp, poolA, imageId } = await withProxyImage();
  const lookalike = `acme-${poolA.replace(/-/g, "").slice(0, 8)}-01`;
  const created = await scp.servers.create({
    az_id: poolA,
    image_id: imageId,
    name: lookalike,
    description: "hand-made, not a fleet member",
    cores: 1,
    sockets: 1,
    memory_mb: 1024,
    disks: [{ id: "ide0", size_mb: 10240 }],
    networks: [],
  });
  await scp.tasks.wait(created, FAST);
  const result = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), { ...FAST, prune: true });
  expect(result.proxies.map((p) => p.name)).toEqual([lookalike.replace(/01$/, "02")]);
  await destroyBackupProxyFleet(scp, { fleetId: "acme" }, FAST);
  const untouched = await scp.servers.get(created.serverIds[0] as string);
  expect(untouched).toMatchObject({ name: lookalike, description: "hand-made, not a fleet member" });
  expect(untouched.os_name).not.toBe(BACKUP_PROXY_OS_NAME);
});

test("destroy removes only the fleet's marked VMs; dryRun only lists them", async () => {
  const { scp, poolA, poolB, imageId, mutations } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1, [poolB]: 1 }), FAST);
  await deployBackupProxyFleet(scp, { ...fleet(imageId, { [poolA]: 1 }), fleetId: "other" }, FAST);
  const before = mutations().length;
  const planned = await destroyBackupProxyFleet(scp, { fleetId: "acme", azIds: [poolA] }, { dryRun: true });
  expect(planned.targets).toHaveLength(1);
  expect(mutations().length).toBe(before);
  const done = await destroyBackupProxyFleet(scp, { fleetId: "acme" }, FAST);
  expect(done.removed).toHaveLength(2);
  expect(await fleetServers(scp)).toEqual([]);
  expect(await findBackupProxies(scp, { fleetId: "other" })).toHaveLength(1);
});

test("bad workflow options are refused before any request", async () => {
  const { scp, poolA, imageId, calls } = await withProxyImage();
  const before = calls.length;
  const input = fleet(imageId, { [poolA]: 1 });
  for (const options of [
    { prune: "false" },
    { concurrency: Number.NaN },
    { pollIntervalMs: 0 },
    { maxUnavailable: -1 },
  ]) {
    await expect(deployBackupProxyFleet(scp, input, options as never)).rejects.toBeInstanceOf(ScpValidationError);
  }
  for (const options of [{ dryRun: "yes" }, { concurrency: Number.NaN }, { maxWaitMs: 0 }]) {
    await expect(destroyBackupProxyFleet(scp, { fleetId: "acme" }, options as never)).rejects.toBeInstanceOf(
      ScpValidationError,
    );
  }
  expect(calls.length).toBe(before);
});

test("a re-run after a crash adopts the half-created proxy instead of creating another", async () => {
  const { scp, sim, poolA, imageId } = await withProxyImage();
  sim.faults.add({ kind: "slow-task", match: "POST /janus/20220725/servers", extraMs: 300, count: 1 });
  const controller = new AbortController();
  const crashed = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    cleanupOnError: false,
    signal: controller.signal,
    onProgress: (e) =>
      e.step === "create" && e.phase === "start" && setTimeout(() => controller.abort(new Error("killed")), 20),
  }).catch((e) => e);
  expect(crashed).toBeInstanceOf(ScpWorkflowError);
  const [half] = await fleetServers(scp);
  expect(half?.status).toBe("creating");
  const rerun = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), FAST);
  expect(rerun.created).toEqual([]);
  expect(rerun.adopted).toEqual([half?.serverId]);
  expect(rerun.proxies.map((p) => [p.serverId, p.ready])).toEqual([[half?.serverId, true]]);
});

/** Ready fleet proxies per pool right now, straight from the simulator. */
function readyIn(sim: ReturnType<typeof simulated>["sim"], azId: string): number {
  return sim
    .state()
    .servers.filter(
      (s) =>
        s.az_id === azId &&
        !s.recycled &&
        s.name.startsWith("acme-") &&
        s.power_state === "on" &&
        s.vtool_installed === 1,
    ).length;
}

test("a replacement that fails midway keeps the successors already in place: the pool stays at count - maxUnavailable", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 3 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  let armed = false;
  const error = await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 3 }), {
    ...FAST,
    onProgress: (e) => {
      // Once the first successor is in place, the next power-on fails.
      if (!armed && e.step === "verify" && e.phase === "done") {
        armed = true;
        sim.faults.add({
          kind: "task-failure",
          match: "POST /janus/20180725/servers/*/start",
          count: 1,
          reason: "host down",
        });
      }
    },
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.leftovers.filter((l: { state: string }) => l.state === "kept")).toHaveLength(1);
  expect(readyIn(sim, poolA)).toBeGreaterThanOrEqual(2);
});

test("a failure in one pool halts the replacements going on in another", async () => {
  const { scp, sim, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1, [poolB]: 3 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  sim.faults.add({
    kind: "task-failure",
    match: "POST /janus/20180725/servers/*/start",
    count: 1,
    reason: "host down",
  });
  const error = await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 1, [poolB]: 3 }), FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.message).toContain("host down");
  // Pool B never drops below count - maxUnavailable, and stops replacing once the run failed.
  expect(readyIn(sim, poolB)).toBeGreaterThanOrEqual(2);
  expect(error.changes.length).toBeLessThan(4);
});

test("an abort during a create whose answer is lost still finds, tracks and removes that VM", async () => {
  const controller = new AbortController();
  const abortOnCreate = (request: Request) => {
    if (request.method === "POST" && new URL(request.url).pathname === "/janus/20220725/servers") {
      controller.abort(new Error("stop"));
    }
    return undefined;
  };
  const { scp, sim, poolA, imageId } = await withProxyImage({}, abortOnCreate);
  sim.faults.add({ kind: "apply-then-drop", match: "POST /janus/20220725/servers", count: 1 });
  const error = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    signal: controller.signal,
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.leftovers).toEqual([expect.objectContaining({ kind: "server", state: "removed" })]);
  expect(sim.state().servers.filter((s) => s.name.startsWith("acme-") && !s.recycled)).toEqual([]);
});

test("a re-run after a crash between a successor and its predecessor's delete converges (maxUnavailable 0)", async () => {
  const { scp, poolA, poolB, imageId } = await withProxyImage();
  await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 2 }), FAST);
  const v2 = await importProxyImage(scp, { file: vma.path, imageName: "proxy-v2", azIds: [poolA, poolB] }, FAST);
  const controller = new AbortController();
  await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 2 }), {
    ...FAST,
    maxUnavailable: 0,
    cleanupOnError: false,
    signal: controller.signal,
    onProgress: (e) => e.step === "delete" && e.phase === "start" && controller.abort(new Error("killed")),
  }).catch(() => undefined);
  expect(await fleetServers(scp)).toHaveLength(3);
  const rerun = await deployBackupProxyFleet(scp, fleet(v2.imageId, { [poolA]: 2 }), { ...FAST, maxUnavailable: 0 });
  expect(rerun.plan.summary).toMatchObject({ keep: 1, replace: 1, retire: 1 });
  expect((await fleetServers(scp)).map((p) => [p.imageId, p.ready])).toEqual([
    [v2.imageId, true],
    [v2.imageId, true],
  ]);
});

test("an abort that arrives after the work is done does not turn a finished deployment into an error", async () => {
  const { scp, poolA, imageId } = await withProxyImage();
  const controller = new AbortController();
  const result = await deployBackupProxyFleet(scp, fleet(imageId, { [poolA]: 1 }), {
    ...FAST,
    signal: controller.signal,
    onProgress: (e) => e.step === "verify" && e.phase === "done" && controller.abort(new Error("late")),
  });
  expect(result.proxies.map((p) => p.ready)).toEqual([true]);
});
