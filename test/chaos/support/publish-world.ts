// A platform (or two) for publish trials: a golden VM on the source, a work directory, a client under test observed
// by the secrets scan, and the invariants a publish must leave.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { publishProxyImage, type ScpClient, ScpWorkflowError } from "../../../src/index.js";
import { createScpSimulator, type ScpSimulator, type ScpSimulatorState } from "../../../src/simulator/index.js";
import { expectImagesGuarded, type Intercept, observedClient } from "./fleet-world.js";
import { SecretScan } from "./secret-scan.js";
import { settle } from "./trial.js";

/** Size of the VMA the simulator makes from the golden VM: small, so trials are quick. */
export const VMA_BYTES = 96 * 1024;

/** One publish trial's world; `target` is the source itself unless the trial publishes to a second platform. */
export interface PublishWorld {
  source: ScpSimulator;
  target: ScpSimulator;
  scp: ScpClient;
  targetClient: ScpClient | undefined;
  scan: SecretScan;
  workDir: string;
  azIds: string[];
  requests: () => number;
  close(): Promise<void>;
}

/** Builds a publish trial's world from its seed. */
export async function publishWorld(
  seed: number,
  options: { crossPlatform: boolean; intercept?: Intercept },
): Promise<PublishWorld> {
  const sim = (s: number) =>
    createScpSimulator({ seed: s, taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 10, vmaSizeBytes: VMA_BYTES });
  const source = sim(seed);
  const target = options.crossPlatform ? sim(seed + 1) : source;
  const scan = new SecretScan();
  let requests = 0;
  const through = (s: ScpSimulator) => async (request: Request) => {
    requests++;
    return (await options.intercept?.(request)) ?? s.fetch(request);
  };
  const scp = observedClient(source, scan, seed % 2 === 1, through(source));
  const targetClient = options.crossPlatform
    ? observedClient(target, scan, seed % 3 === 0, through(target))
    : undefined;
  const workDir = await mkdtemp(join(tmpdir(), "scp-chaos-publish-"));
  return {
    source,
    target,
    scp,
    targetClient,
    scan,
    workDir,
    azIds: [...target.poolIds],
    requests: () => requests,
    close: async () => {
      await rm(workDir, { recursive: true, force: true });
      await Promise.all([source.close(), target === source ? undefined : target.close()]);
    },
  };
}

/** Files left in the work directory. */
export const workFiles = (world: Pick<PublishWorld, "workDir">) => readdir(world.workDir);

const looks = (s: ScpSimulatorState["servers"][number]) =>
  JSON.stringify([s.name, s.description, s.os_name, s.power_state, s.status, s.recycled]);

/**
 * Asserts a publish left exactly one complete image of the name on the target (private, administrator-owned,
 * active, in every pool, the file's size), no half-made namesake, at most one intermediate image on the source,
 * every VM (the golden one included, unless a run reported leaving it off) as it was, no file in the work directory, and no image made public.
 */
export async function expectPublished(
  world: Pick<PublishWorld, "source" | "target" | "azIds" | "workDir">,
  imageName: string,
  before: { source: ScpSimulatorState; target: ScpSimulatorState },
  /** The faulty run reported leaving the golden VM powered off (its restart failed): it may stay off. */
  goldenLeftOff = false,
  /** Files a killed run left in the work directory (it could not remove them); any other file is a failure. */
  leftByKilled: readonly string[] = [],
): Promise<void> {
  const target = world.target.state();
  const named = target.images.filter((i) => i.name === imageName);
  expect(named.map((i) => [i.status, i.image_type, i.owner_id, i.upload?.sizeBytes])).toEqual([
    ["active", "private", world.target.adminProjectId, VMA_BYTES],
  ]);
  const pools = (named[0]?.azs ?? []).filter((az) => String(az.is_available) === "1").map((az) => az.id);
  expect(pools.sort()).toEqual([...world.azIds].sort());
  const source = world.source.state();
  expect(source.images.filter((i) => i.name === `${imageName}-src`).length).toBeLessThanOrEqual(1);
  const now = new Map(source.servers.map((s) => [s.id, s]));
  for (const old of before.source.servers) {
    const current = now.get(old.id);
    if (goldenLeftOff && old.id === world.source.goldenServerId && current?.power_state === "off") {
      continue;
    }
    expect(current && looks(current), `VM ${old.name} changed`).toBe(looks(old));
  }
  expect((await workFiles(world)).filter((f) => !leftByKilled.includes(f))).toEqual([]);
  expectImagesGuarded(before.source, source, world.source.adminProjectId);
  expectImagesGuarded(before.target, target, world.target.adminProjectId);
}

/** What a failed publish must say: each leftover as it really is, and no file it does not list. */
export async function expectHonestLeftovers(world: PublishWorld, error: unknown): Promise<void> {
  const leftovers = error instanceof ScpWorkflowError ? error.leftovers : [];
  for (const l of leftovers.filter((l) => l.kind === "file")) {
    expect(existsSync(l.id), `file ${l.id} listed as ${l.state}`).toBe(l.state !== "removed");
  }
  const listed = leftovers.filter((l) => l.kind === "file" && l.state !== "removed").map((l) => l.id);
  for (const file of await workFiles(world)) {
    expect(listed, `file ${file} left in the work directory`).toContain(join(world.workDir, file));
  }
  const images = new Map([...world.source.state().images, ...world.target.state().images].map((i) => [i.id, i]));
  for (const l of leftovers.filter((l) => l.kind === "image")) {
    expect(images.has(l.id), `image ${l.id} listed as ${l.state}`).toBe(l.state !== "removed");
  }
}

/** Publishes the golden VM under `imageName` with these options, settled. */
export async function publishOnce(world: PublishWorld, imageName: string, options: object) {
  const input = {
    serverId: world.source.goldenServerId,
    imageName,
    azIds: world.azIds,
    workDir: world.workDir,
    ...(world.targetClient ? { targetClient: world.targetClient } : {}),
  };
  return settle(() => publishProxyImage(world.scp, input, { ...options, onProgress: (e) => world.scan.progress(e) }));
}
