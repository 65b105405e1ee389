import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Image } from "../types.js";
import type { DeployBackupProxyFleetInput } from "./fleet-input.js";
import { proxyImageChecks } from "./image-checks.js";
import { OS_NAME_MIN_VERSION } from "./proxy-steps.js";

/** Every pool's status, by id. */
async function poolStatuses(scp: ScpClient, options: RequestOptions): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  for await (const az of scp.azs.listAll({}, options)) {
    found.set(az.id, az.status);
  }
  return found;
}

/** The checks of one pool: listed, normal (when proxies go there), and holding the storage tag asked for. */
async function poolChecks(
  scp: ScpClient,
  pool: DeployBackupProxyFleetInput["pools"][number],
  status: string | undefined,
  options: RequestOptions,
): Promise<ScpCheck[]> {
  const listed = status !== undefined;
  const checks: ScpCheck[] = [
    { name: `pool ${pool.azId} exists`, ok: listed, detail: listed ? `status ${status}` : "not listed" },
  ];
  if (listed && pool.count > 0) {
    checks.push({ name: `pool ${pool.azId} is normal`, ok: status === "normal", detail: `status ${status}` });
  }
  if (pool.storageTagId && listed) {
    const tags: string[] = [];
    for await (const tag of scp.storageTags.listAll(pool.azId, options)) {
      tags.push(tag.id);
    }
    const name = `storage tag ${pool.storageTagId} in pool ${pool.azId}`;
    checks.push({ name, ok: tags.includes(pool.storageTagId), detail: `tags: ${tags.join(", ")}` });
  }
  return checks;
}

/**
 * Runs the fleet's preflight, reading only: SCP version, the image's fitness, the pools and storage tags.
 * @throws {@link ScpUnsupportedVersionError} on SCP older than 6.11.3; {@link ScpPreflightError} listing every check otherwise.
 * @internal
 */
export async function fleetPreflight(
  scp: ScpClient,
  input: DeployBackupProxyFleetInput,
  options: RequestOptions,
): Promise<{ image: Image; checks: ScpCheck[]; warnings: string[] }> {
  await scp.system.requireVersion(OS_NAME_MIN_VERSION, "deploying backup proxies (os_name)", options);
  const azIds = input.pools.filter((p) => p.count > 0).map((p) => p.azId);
  const [image, adminIds, pools] = await Promise.all([
    scp.images.find(input.imageId, options),
    scp.projects.administrators(options).then((admins) => admins.map((a) => a.id)),
    poolStatuses(scp, options),
  ]);
  const checks = proxyImageChecks(image, input.imageId, adminIds, azIds);
  for (const pool of input.pools) {
    checks.push(...(await poolChecks(scp, pool, pools.get(pool.azId), options)));
  }
  if (checks.some((c) => !c.ok) || !image) {
    throw new ScpPreflightError({ workflow: "deployBackupProxyFleet", checks });
  }
  // Not a failure: SCP may not know whether an uploaded VMA has vmtools. But a proxy without it never becomes ready.
  const warnings =
    image.is_vmtools_installed === 0
      ? [`image ${image.id} reports no vmtools (is_vmtools_installed 0); proxies need vmtools to become ready`]
      : [];
  return { image, checks, warnings };
}
