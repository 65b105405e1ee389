// Shared set-up of the fleet tests: a VMA file, a simulator with a published proxy image, fleet inputs.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type DeployBackupProxyFleetInput, importProxyImage } from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";

/** A small VMA file for the calling test file, made before its tests and removed after. */
export function useVmaFile(): { readonly path: string } {
  const state = { dir: "", path: "" };
  beforeAll(async () => {
    state.dir = await mkdtemp(join(tmpdir(), "scp-fleet-test-"));
    state.path = join(state.dir, "proxy.vma");
    await writeFile(state.path, Buffer.alloc(256 * 1024, 7));
  });
  afterAll(async () => {
    await rm(state.dir, { recursive: true, force: true });
  });
  return {
    get path() {
      return state.path;
    },
  };
}

/** A simulator with a published proxy image (`proxy-v1`) in its first two pools. */
export async function withProxyImage(
  vma: string,
  options: Parameters<typeof simulated>[0] = {},
  intercept?: Parameters<typeof simulated>[1],
) {
  const env = simulated(options, intercept);
  const [poolA, poolB] = env.sim.poolIds as [string, string];
  const image = await importProxyImage(env.scp, { file: vma, imageName: "proxy-v1", azIds: [poolA, poolB] }, FAST);
  return { ...env, poolA, poolB, imageId: image.imageId };
}

/** The input of fleet `acme` with these counts per pool. */
export function fleet(
  imageId: string,
  pools: Record<string, number>,
  extra: Partial<DeployBackupProxyFleetInput> = {},
): DeployBackupProxyFleetInput {
  return { fleetId: "acme", imageId, pools: Object.entries(pools).map(([azId, count]) => ({ azId, count })), ...extra };
}
