import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import type { Image } from "../types.js";

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
