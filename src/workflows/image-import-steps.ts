import type { ScpClient } from "../client.js";
import { isOutcomeUnknown } from "../errors/call.js";
import { ScpStateError } from "../errors/workflow.js";
import type { Image } from "../types.js";
import { type CreatedResources, inStep } from "./created-resources.js";
import { deleteImage } from "./delete-image.js";
import { availableIn, proxyImageChecks } from "./image-checks.js";
import { type ImageProgress, phaseProgress } from "./image-files.js";
import { lookFor, requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

const MIB = 1024 * 1024;

/** True when SCP's size in MiB matches the file's size (SCP rounds). */
function sizeMatches(image: Image, sizeBytes: number): boolean {
  return image.size_mb === undefined || Math.abs(image.size_mb * MIB - sizeBytes) < MIB;
}

/** Marks an image this workflow made, and the file it holds, so a re-run redoes only its own half-made images. */
const imageMarker = (sha256: string) => `scp-sdk-image/1 sha256=${sha256}`;

/** How an existing image of the wanted name relates to this import. @internal */
export type Verdict = "reuse" | "extend" | "redo" | "conflict";

/** What the import knows when it judges the images of the wanted name. @internal */
export interface ImportFacts {
  file: string;
  imageName: string;
  azIds: readonly string[];
  osType: string | undefined;
  adminIds: readonly string[];
  ownerId: string;
  sizeBytes: number;
  sha256: string;
}

/** Judges an existing image of the wanted name. @internal */
export function judge(image: Image, known: ImportFacts): Verdict {
  if (image.image_type !== "private" || !known.adminIds.includes(image.owner_id ?? "")) {
    return "conflict"; // Somebody else's image: never touched.
  }
  const mine = image.description === imageMarker(known.sha256);
  if (image.description?.startsWith("scp-sdk-image/1 ") && !mine) {
    return "conflict"; // Made by this workflow from another file.
  }
  if (image.status === "saving" || image.status === "error") {
    return mine ? "redo" : "conflict"; // Only our own half-made image is ours to delete.
  }
  if (image.status !== "active" || !sizeMatches(image, known.sizeBytes)) {
    return "conflict"; // Deactivated, or complete with other content: in use, perhaps.
  }
  if (known.azIds.every((az) => availableIn(image, az))) {
    return "reuse";
  }
  // Only our own image is ours to spread to more pools; another tool's is left as it is.
  return mine ? "extend" : "conflict";
}

/**
 * Creates the image record, marked as this workflow's, and tracks it at once. The create runs without the
 * caller's signal (an abort must not cut a create that may apply); a lost answer is settled by looking the
 * marked image up. Its task may run until the upload is distributed.
 */
async function createImage(
  scp: ScpClient,
  f: ImportFacts,
  created: CreatedResources,
  options: StepOptions,
): Promise<{ imageId: string; taskId: string | undefined }> {
  const description = imageMarker(f.sha256);
  const request = {
    name: f.imageName,
    description,
    azs: [...f.azIds],
    disk_format: "aCloud" as const,
    image_type: "private" as const,
    owner_id: f.ownerId,
    ...(f.osType ? { os_type: f.osType } : {}),
  };
  let ref: { imageId: string; taskId?: string };
  try {
    ref = await scp.images.create(request);
  } catch (error) {
    const mineByName = async () =>
      (await scp.images.findByName(f.imageName)).find((image) => image.description === description);
    const found = isOutcomeUnknown(error) ? await lookFor(mineByName, options.pollIntervalMs) : undefined;
    if (!found) {
      throw error;
    }
    ref = { imageId: found.id };
  }
  const { imageId } = ref;
  created.add("image", imageId, (o) => deleteImage(scp, imageId, o));
  options.signal?.throwIfAborted();
  return { imageId, taskId: ref.taskId };
}

/**
 * Deletes this workflow's half-made images of the name, creates the image, uploads the file, waits until it is
 * distributed and verifies it. Returns its id.
 * @internal
 */
export async function uploadNew(
  scp: ScpClient,
  f: ImportFacts,
  halfMade: readonly Image[],
  created: CreatedResources,
  options: StepOptions & { onProgress?: ((event: ImageProgress) => void) | undefined },
): Promise<string> {
  const req = requestOptions(options);
  for (const image of halfMade) {
    await inStep("remove-half-made", () => scp.images.delete(image.id, req), image.id);
  }
  const { imageId, taskId } = await inStep("create-image", () => createImage(scp, f, created, options), f.imageName);
  const progress = phaseProgress("upload", options.onProgress);
  const upload = await inStep(
    "upload",
    () => scp.images.upload(imageId, { file: f.file, sha256: f.sha256 }, { ...req, ...progress.transfer }),
    imageId,
  );
  progress.finish(f.sizeBytes);
  // The create task may last until the file is distributed, so wait for both only after the upload.
  const tasks = taskId ? [taskId, upload] : [upload];
  await inStep("distribute", () => scp.tasks.waitAll(tasks, waitOptions(options)), imageId);
  await inStep("verify", () => verify(scp, imageId, f, options), imageId);
  return imageId;
}

/** Spreads this workflow's complete image to the pools it misses, and verifies it. @internal */
export async function extendToPools(scp: ScpClient, image: Image, f: ImportFacts, options: StepOptions) {
  const azs = [...new Set([...(image.azs ?? []).map((a) => a.id), ...f.azIds])];
  const req = requestOptions(options);
  await inStep(
    "extend-to-pools",
    async () => scp.tasks.wait(await scp.images.update(image.id, { azs }, req), waitOptions(options)),
    image.id,
  );
  await inStep("verify", () => verify(scp, image.id, f, options), image.id);
}

/** Reads the image back: private, owned by the chosen administrator tenant, active, in every pool, right size. */
async function verify(scp: ScpClient, imageId: string, f: ImportFacts, options: StepOptions): Promise<void> {
  const image = await scp.images.get(imageId, requestOptions(options));
  const failed = proxyImageChecks(image, imageId, [f.ownerId], f.azIds)
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`);
  if (!sizeMatches(image, f.sizeBytes)) {
    failed.push(`size ${image.size_mb} MiB, file ${f.sizeBytes} bytes`);
  }
  if (failed.length > 0) {
    throw new ScpStateError({
      resource: `image ${imageId}`,
      expected: "a private, administrator-owned, active image in every pool",
      actual: failed.join("; "),
    });
  }
}
