import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import {
  exportProxyImage,
  importProxyImage,
  publishProxyImage,
  ScpPreflightError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";
import { useTempDir } from "../support/temp-dir.js";

const temp = useTempDir("scp-image-wf-");

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

async function vmaFile(name: string, size = 300_000): Promise<string> {
  const file = join(temp.dir, name);
  await writeFile(file, Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 256)));
  return file;
}

test("export makes a VMA image from the stopped golden VM and downloads it whole", async () => {
  const { scp, sim } = simulated({ vmaSizeBytes: 1_000_000 });
  const file = join(temp.dir, "golden.vma");
  const result = await exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "golden-v1", file }, FAST);
  expect(result.sizeBytes).toBe(1_000_000);
  expect((await stat(file)).size).toBe(1_000_000);
  expect(result.sha256).toBe(await sha256(file));
  expect(sim.state().images.find((i) => i.id === result.sourceImageId)?.name).toBe("golden-v1");
});

test("export refuses a running VM unless stopSource, and then restarts it", async () => {
  const { scp, sim, mutations } = simulated();
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  const before = mutations().length;
  const file = join(temp.dir, "running.vma");
  const error = await exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "g", file }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(error.message).toContain("VM is stopped: running; pass stopSource");
  expect(mutations().length).toBe(before);
  await exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "g", file }, { ...FAST, stopSource: true });
  expect((await scp.servers.find(sim.goldenServerId))?.power_state).toBe("on");
});

test("export re-run reuses the image it made from the same VM", async () => {
  const { scp, sim, calls } = simulated({ vmaSizeBytes: 100_000 });
  const first = await exportProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "g-v1", file: join(temp.dir, "r1.vma") },
    FAST,
  );
  const makes = () => calls.filter((c) => c.method === "POST" && c.path === "/janus/20180725/images/action").length;
  const again = await exportProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "g-v1", file: join(temp.dir, "r2.vma") },
    FAST,
  );
  expect(again.sourceImageId).toBe(first.sourceImageId);
  expect(again.sha256).toBe(first.sha256);
  expect(makes()).toBe(1);
});

test("export never touches an image of that name it did not make; it refuses before any change", async () => {
  const { scp, sim, mutations } = simulated();
  const foreign = sim.state().images.find((i) => i.image_type === "public");
  const error = await exportProxyImage(scp, {
    serverId: sim.goldenServerId,
    imageName: foreign?.name as string,
    file: join(temp.dir, "f.vma"),
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(error.message).toContain("not made by this workflow from this VM");
  expect(mutations()).toEqual([]);
  expect(sim.state().images.find((i) => i.id === foreign?.id)).toMatchObject({ status: foreign?.status });
});

test("an abort right after the golden VM's stop was sent still starts it again", async () => {
  const controller = new AbortController();
  const reason = new Error("abort");
  const abortOnStop = (request: Request) => {
    if (request.method === "POST" && new URL(request.url).pathname.endsWith("/stop")) {
      setTimeout(() => controller.abort(reason), 0);
    }
    return undefined;
  };
  const { scp, sim } = simulated({}, abortOnStop);
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  const error = await exportProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "g", file: join(temp.dir, "ab.vma") },
    { ...FAST, stopSource: true, signal: controller.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.cause).toBe(reason);
  expect((await scp.servers.find(sim.goldenServerId))?.power_state).toBe("on");
});

test("export needs SCP 6.11.3", async () => {
  const { scp, sim, mutations } = simulated({ scpVersion: "6.10.0" });
  const error = await exportProxyImage(scp, {
    serverId: sim.goldenServerId,
    imageName: "g",
    file: join(temp.dir, "x.vma"),
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpUnsupportedVersionError);
  expect(mutations()).toEqual([]);
});

test("import creates a private image owned by the administrator in every pool and verifies it", async () => {
  const { scp, sim } = simulated();
  const file = await vmaFile("import.vma");
  const result = await importProxyImage(scp, { file, imageName: "proxy-v1", azIds: sim.poolIds.slice(0, 2) }, FAST);
  expect(result).toMatchObject({
    ownerId: sim.adminProjectId,
    sizeBytes: 300_000,
    sha256: await sha256(file),
    reused: false,
  });
  const image = await scp.images.get(result.imageId);
  expect(image).toMatchObject({ image_type: "private", owner_id: sim.adminProjectId, status: "active" });
  expect(image.azs?.map((a) => [a.id, String(a.is_available)])).toEqual(sim.poolIds.slice(0, 2).map((id) => [id, "1"]));
});

test("import refuses a tenant ownerId, a missing file and unknown fields before any request", async () => {
  const { scp, sim, mutations } = simulated();
  const file = await vmaFile("refuse.vma");
  const pools = sim.poolIds.slice(0, 1);
  const attempts = [
    () => importProxyImage(scp, { file, imageName: "p", azIds: pools, ownerId: sim.tenantProjectId }),
    () => importProxyImage(scp, { file: join(temp.dir, "nope.vma"), imageName: "p", azIds: pools }),
    () => importProxyImage(scp, { file, imageName: "p", azIds: pools, imageType: "public" } as never),
  ];
  for (const attempt of attempts) {
    await expect(attempt()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(mutations()).toEqual([]);
});

test("re-running an import reuses the complete image and uploads nothing", async () => {
  const { scp, sim, mutations } = simulated();
  const file = await vmaFile("again.vma");
  const first = await importProxyImage(scp, { file, imageName: "proxy-v1", azIds: sim.poolIds.slice(0, 1) }, FAST);
  const before = mutations().length;
  const second = await importProxyImage(scp, { file, imageName: "proxy-v1", azIds: sim.poolIds.slice(0, 1) }, FAST);
  expect(second).toMatchObject({ imageId: first.imageId, reused: true });
  expect(mutations().length).toBe(before);
});

test("an import after a crash removes the half-made image and redoes it, leaving one", async () => {
  const { scp, sim } = simulated();
  const file = await vmaFile("crash.vma");
  const pools = sim.poolIds.slice(0, 1);
  sim.faults.add({ kind: "reset", match: "PUT /janus/20180725/images/*/upload", count: 1 });
  const crashed = await importProxyImage(
    scp,
    { file, imageName: "proxy-v1", azIds: pools },
    { ...FAST, cleanupOnError: false },
  ).catch((e) => e);
  expect(crashed).toBeInstanceOf(ScpWorkflowError);
  expect(crashed.leftovers).toEqual([expect.objectContaining({ kind: "image", state: "remains" })]);
  const redone = await importProxyImage(scp, { file, imageName: "proxy-v1", azIds: pools }, FAST);
  const named = sim.state().images.filter((i) => i.name === "proxy-v1");
  expect(named.map((i) => [i.id, i.status])).toEqual([[redone.imageId, "active"]]);
});

test("a half-made image of that name that this workflow did not make is refused, not deleted", async () => {
  const { scp, sim, mutations } = simulated();
  const file = await vmaFile("other-tool.vma");
  const pools = sim.poolIds.slice(0, 1);
  const other = await scp.images.create({
    name: "proxy-v1",
    azs: pools,
    disk_format: "aCloud",
    image_type: "private",
    owner_id: sim.adminProjectId,
  });
  const before = mutations().length;
  const error = await importProxyImage(scp, { file, imageName: "proxy-v1", azIds: pools }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(mutations().length).toBe(before);
  expect(sim.state().images.find((i) => i.id === other.imageId)).toBeTruthy();
});

test("an image of the same name owned by someone else is refused, not replaced", async () => {
  const { scp, sim, mutations } = simulated();
  const tenantImage = sim.state().images.find((i) => i.owner_id === sim.tenantProjectId);
  const file = await vmaFile("clash.vma");
  const before = mutations().length;
  const error = await importProxyImage(scp, {
    file,
    imageName: tenantImage?.name as string,
    azIds: sim.poolIds.slice(0, 1),
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(mutations().length).toBe(before);
});

test("publish goes golden VM → private administrator image in two pools, removes its file, and reuses on re-run", async () => {
  const { scp, sim, mutations } = simulated({ vmaSizeBytes: 500_000 });
  const pools = sim.poolIds.slice(0, 2);
  const result = await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "proxy-golden", azIds: pools, workDir: temp.dir },
    FAST,
  );
  expect(result).toMatchObject({
    azIds: pools,
    ownerId: sim.adminProjectId,
    sizeBytes: 500_000,
    reused: false,
    file: undefined,
  });
  expect(await scp.images.get(result.imageId)).toMatchObject({
    name: "proxy-golden",
    image_type: "private",
    status: "active",
  });
  const before = mutations().length;
  const again = await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "proxy-golden", azIds: pools, workDir: temp.dir },
    FAST,
  );
  expect(again).toMatchObject({ imageId: result.imageId, reused: true });
  expect(mutations().length).toBe(before);
});

test("publish can target another SCP", async () => {
  const source = simulated({ vmaSizeBytes: 200_000 });
  const target = simulated({ seed: 7 });
  const pools = target.sim.poolIds.slice(0, 1);
  const result = await publishProxyImage(
    source.scp,
    {
      serverId: source.sim.goldenServerId,
      imageName: "proxy-x",
      azIds: pools,
      targetClient: target.scp,
      keepFile: true,
      workDir: temp.dir,
    },
    FAST,
  );
  expect(target.sim.state().images.find((i) => i.id === result.imageId)).toMatchObject({
    owner_id: target.sim.adminProjectId,
  });
  expect(result.file && (await stat(result.file)).size).toBe(200_000);
});

test("import does not spread another tool's image to more pools; it refuses the name", async () => {
  const { scp, sim } = simulated();
  const [poolA, poolB] = sim.poolIds as [string, string];
  const file = await vmaFile("ops.vma");
  const theirs = await scp.images.create({
    name: "golden",
    azs: [poolA],
    disk_format: "aCloud",
    image_type: "private",
    owner_id: sim.adminProjectId,
  });
  await scp.tasks.wait(await scp.images.upload(theirs.imageId, { file }), FAST);
  const error = await importProxyImage(scp, { file, imageName: "golden", azIds: [poolA, poolB] }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  expect(
    sim
      .state()
      .images.find((i) => i.id === theirs.imageId)
      ?.azs?.map((a) => a.id),
  ).toEqual([poolA]);
});

test("a publish whose import fails reports the source image it made and its removed temporary file", async () => {
  const { scp, sim } = simulated({ vmaSizeBytes: 100_000 });
  sim.faults.add({ kind: "error", match: "POST /janus/20180725/images", status: 400, message: "quota exceeded" });
  const error = await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "pub", azIds: sim.poolIds.slice(0, 1), workDir: temp.dir },
    FAST,
  ).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.message).toContain("quota exceeded");
  const source = sim.state().images.find((i) => i.name === "pub-src");
  expect(error.leftovers).toEqual(
    expect.arrayContaining([
      { kind: "image", id: source?.id, state: "remains" },
      expect.objectContaining({ kind: "file", state: "removed" }),
    ]),
  );
});

test("a work directory that is a file is refused before any request", async () => {
  const { scp, sim, calls } = simulated();
  const notADir = await vmaFile("not-a-dir.vma", 10);
  const error = await publishProxyImage(scp, {
    serverId: sim.goldenServerId,
    imageName: "pub",
    azIds: sim.poolIds.slice(0, 1),
    workDir: notADir,
  }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.message).toContain("workDir");
  expect(calls).toEqual([]);
});

test("an abort between the export and the import lists the intermediate image and the removed file", async () => {
  const controller = new AbortController();
  const reason = new Error("operator cancelled");
  let downloaded = false;
  const abortAfterDownload = (request: Request) => {
    const path = new URL(request.url).pathname;
    downloaded ||= path.endsWith("/download");
    if (downloaded && path === "/janus/20190725/projects") {
      controller.abort(reason);
    }
    return undefined;
  };
  const { scp, sim } = simulated({ vmaSizeBytes: 100_000 }, abortAfterDownload);
  const error = await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "pub", azIds: sim.poolIds.slice(0, 1), workDir: temp.dir },
    { ...FAST, signal: controller.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error.cause).toBe(reason);
  expect(error.step).toBe("preflight");
  const source = sim.state().images.find((i) => i.name === "pub-src");
  expect(error.leftovers).toEqual([
    { kind: "image", id: source?.id, state: "remains" },
    expect.objectContaining({ kind: "file", state: "removed" }),
  ]);
});

test("an abort during the export's preflight is a workflow error at that step", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const abortOnVersion = (request: Request) => {
    if (new URL(request.url).pathname.endsWith("/system/version")) {
      controller.abort(reason);
    }
    return undefined;
  };
  const { scp, sim, mutations } = simulated({}, abortOnVersion);
  const error = await exportProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "g", file: join(temp.dir, "pre.vma") },
    { signal: controller.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  expect(error).toMatchObject({ step: "preflight", leftovers: [], cause: reason });
  expect(mutations()).toEqual([]);
});

test("publish reports each phase's bytes and ends each phase at 100%", async () => {
  const { scp, sim } = simulated({ vmaSizeBytes: 300_000 });
  const events: { phase: string; doneBytes: number; totalBytes: number | undefined }[] = [];
  await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "prog", azIds: sim.poolIds.slice(0, 1), workDir: temp.dir },
    { ...FAST, onProgress: (e) => events.push(e) },
  );
  expect([...new Set(events.map((e) => e.phase))]).toEqual(["download", "upload"]);
  for (const phase of ["download", "upload"]) {
    const mine = events.filter((e) => e.phase === phase);
    expect(mine.at(-1)).toEqual({ phase, doneBytes: 300_000, totalBytes: 300_000 });
    expect(mine.map((e) => e.doneBytes)).toEqual([...mine.map((e) => e.doneBytes)].sort((a, b) => a - b));
  }
});

test("bad options of the image workflows are refused before any request", async () => {
  const { scp, sim, calls } = simulated();
  const file = await vmaFile("opts.vma", 10);
  const pools = sim.poolIds.slice(0, 1);
  const attempts = [
    () => exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "g", file }, { pollIntervalMs: -5 }),
    () => exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "g", file: temp.dir }),
    () => importProxyImage(scp, { file, imageName: "p", azIds: pools }, { cleanupMaxWaitMs: 0 }),
    () => importProxyImage(scp, { file: temp.dir, imageName: "p", azIds: pools }),
    () =>
      publishProxyImage(scp, { serverId: sim.goldenServerId, imageName: "p", azIds: pools }, { timeoutMs: 1 } as never),
  ];
  for (const attempt of attempts) {
    await expect(attempt()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(calls).toEqual([]);
});

test("a publish whose golden VM does not start again lists its removed file as removed, not remaining", async () => {
  const { scp, sim } = simulated({ vmaSizeBytes: 64 * 1024 });
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  sim.faults.add({ kind: "error", status: 404, match: "POST /janus/20180725/servers/*/start", count: 3 });
  const workDir = join(temp.dir, "restart-fails");
  const error = await publishProxyImage(
    scp,
    { serverId: sim.goldenServerId, imageName: "proxy-rs", azIds: [...sim.poolIds], workDir },
    { ...FAST, stopSource: true },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(ScpWorkflowError);
  const files = error.leftovers.filter((l: { kind: string }) => l.kind === "file");
  expect(files).toHaveLength(1);
  expect(files[0].state).toBe("removed");
  await expect(stat(files[0].id)).rejects.toMatchObject({ code: "ENOENT" });
});

test("an image create whose answer is lost and that never applied fails after a few looks, not a minute's wait", async () => {
  const { scp, sim, calls } = simulated({ vmaSizeBytes: 100_000 });
  sim.faults.add({ kind: "reset", match: "POST /janus/20180725/images/action", count: 3 });
  const file = join(temp.dir, "lost.vma");
  const error = await exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "lost-v1", file }, FAST).catch(
    (e) => e,
  );
  expect(error).toBeInstanceOf(ScpWorkflowError);
  // A handful of list reads looking for it (at most five), then the failure: not a poll until a one-minute limit.
  const looks = calls.filter((c) => c.method === "GET" && c.path === "/janus/20200725/images").length;
  expect(looks).toBeGreaterThan(0);
  expect(looks).toBeLessThanOrEqual(6);
  expect(sim.state().images.filter((i) => i.name === "lost-v1")).toEqual([]);
  // It cannot know for sure that the create never applied: the error says so, and what a re-run does about it.
  expect((error as ScpWorkflowError).changes.join("\n")).toMatch(/image lost-v1 may have been made after all/);
});

test("a clean-up delete whose answer is lost but that applied lists the image as removed, not remaining", async () => {
  const { scp, sim } = simulated({ vmaSizeBytes: 100_000 });
  sim.faults.add({ kind: "task-failure", match: "POST /janus/20240725/images/*/export", count: 2, reason: "no space" });
  sim.faults.add({ kind: "apply-then-drop", match: "DELETE /janus/20180725/images/*", count: 3 });
  const file = join(temp.dir, "dropped.vma");
  const error = await exportProxyImage(scp, { serverId: sim.goldenServerId, imageName: "drop-v1", file }, FAST).catch(
    (e) => e,
  );
  expect(error).toBeInstanceOf(ScpWorkflowError);
  const images = (error as ScpWorkflowError).leftovers.filter((l) => l.kind === "image");
  expect(images.length).toBeGreaterThan(0);
  expect(images.map((l) => l.state)).toEqual(images.map(() => "removed"));
  expect(sim.state().images.filter((i) => i.name === "drop-v1")).toEqual([]);
});
