import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors.js";
import type { RequestOptions } from "../resources/request-options.js";
import type { Image } from "../types.js";
import type { DeployBackupProxyFleetInput } from "./fleet-input.js";
import { OS_NAME_MIN_VERSION } from "./proxy-steps.js";

/** True when SCP lists the image as usable in the pool (`is_available` 1, number or string). @internal */
export function availableIn(image: Image, azId: string): boolean {
  return (image.azs ?? []).some((az) => az.id === azId && String(az.is_available) === "1");
}

/**
 * Checks that an image may back proxies: active, private, owned by an administrator tenant, and usable in
 * every pool. Returns one check per condition.
 * @internal
 */
export function proxyImageChecks(
  image: Image | undefined,
  imageId: string,
  adminIds: readonly string[],
  azIds: readonly string[],
): ScpCheck[] {
  if (!image) {
    return [{ name: "image exists", ok: false, detail: `no image ${imageId}` }];
  }
  const privateImage =
    image.image_type === "private" && (image.visibility === undefined || image.visibility === "private");
  const missing = azIds.filter((az) => !availableIn(image, az));
  return [
    { name: "image exists", ok: true, detail: image.name },
    { name: "image is active", ok: image.status === "active", detail: `status ${image.status}` },
    {
      name: "image is private",
      ok: privateImage,
      detail: `image_type ${image.image_type ?? "?"}, visibility ${image.visibility ?? "?"}`,
    },
    {
      name: "image is owned by the administrator",
      ok: image.owner_id !== undefined && adminIds.includes(image.owner_id),
      detail: `owner_id ${image.owner_id ?? "none"}; administrator tenants: ${adminIds.join(", ") || "none"}`,
    },
    {
      name: "image is available in every pool",
      ok: missing.length === 0,
      detail: missing.length ? `not in ${missing.join(", ")}` : "yes",
    },
  ];
}

/**
 * Refuses a run because other images hold the wanted name (nothing was changed yet).
 * @throws {@link ScpPreflightError} always.
 * @internal
 */
export function refuseTakenName(workflow: string, imageName: string, taken: readonly Image[]): never {
  const checks = taken.map((f) => ({
    name: `image name ${imageName} is free`,
    ok: false,
    detail: `image ${f.id} (${f.image_type}, owner ${f.owner_id}, ${f.size_mb} MiB, ${f.status}) has it; pick another name`,
  }));
  throw new ScpPreflightError({ workflow, checks });
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
