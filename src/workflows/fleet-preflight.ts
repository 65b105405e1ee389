import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Image } from "../types.js";
import type { DeployBackupProxyFleetInput } from "./fleet-input.js";
import { proxyImageChecks } from "./image-checks.js";
import { OS_NAME_MIN_VERSION } from "./proxy-steps.js";

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
    (async () => {
      const found = new Map<string, string | undefined>();
      for await (const az of scp.azs.listAll({}, options)) {
        found.set(az.id, az.status);
      }
      return found;
    })(),
  ]);
  const checks = proxyImageChecks(image, input.imageId, adminIds, azIds);
  for (const pool of input.pools) {
    const status = pools.get(pool.azId);
    checks.push({
      name: `pool ${pool.azId} exists`,
      ok: status !== undefined,
      detail: status === undefined ? "not listed" : `status ${status}`,
    });
    if (status !== undefined && pool.count > 0) {
      checks.push({
        name: `pool ${pool.azId} is normal`,
        ok: status === "normal" || status === undefined,
        detail: `status ${status}`,
      });
    }
    if (pool.storageTagId && status !== undefined) {
      const tags: string[] = [];
      for await (const tag of scp.storageTags.listAll(pool.azId, options)) {
        tags.push(tag.id);
      }
      checks.push({
        name: `storage tag ${pool.storageTagId} in pool ${pool.azId}`,
        ok: tags.includes(pool.storageTagId),
        detail: `tags: ${tags.join(", ")}`,
      });
    }
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
