import { stat } from "node:fs/promises";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown, ScpPreflightError, ScpStateError, ScpValidationError } from "../errors.js";
import { hashFile } from "../hash-file.js";
import type { TransferOptions } from "../resources/image-transfer.js";
import type { Image } from "../types.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { CreatedResources, cleanupBudget, inStep } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import { availableIn, proxyImageChecks, refuseTakenName } from "./fleet-preflight.js";
import { lookFor, requestOptions, type StepOptions, StepOptionsSchema, waitOptions } from "./step-helpers.js";

/** What to import. */
export interface ImportProxyImageInput {
  /** Local VMA file. */
  file: string;
  /** Image name; an image of this name that is already complete is reused. */
  imageName: string;
  /** Resource pools to distribute the image to. */
  azIds: readonly string[];
  /** Owning tenant; must be an administrator tenant. @defaultValue the administrator's tenant */
  ownerId?: string;
  /** OS type code of the image, such as l2664. */
  osType?: string;
  /** The file's hex SHA-256 when already known (saves a pass over the file). */
  sha256?: string;
}

/** How to import. */
export interface ImportProxyImageOptions extends StepOptions {
  /** Upload progress. */
  onProgress?: TransferOptions["onProgress"];
  /** Delete the image this run created when a later step fails. @defaultValue true */
  cleanupOnError?: boolean;
}

/** The imported (or reused) image. */
export interface ImportProxyImageResult {
  /** Image id. */
  imageId: string;
  /** Pools it is available in. */
  azIds: readonly string[];
  /** Its owner, an administrator tenant. */
  ownerId: string;
  /** Size of the file. */
  sizeBytes: number;
  /** Hex SHA-256 of the file. */
  sha256: string;
  /** True when an existing complete image was reused and nothing was uploaded. */
  reused: boolean;
}

const MIB = 1024 * 1024;
const ImportInput = z.strictObject({
  file: z.string().min(1),
  imageName: z.string().trim().min(1).max(128),
  azIds: z.array(ScpIdSchema).min(1, "must name at least one resource pool"),
  ownerId: ScpIdSchema.optional(),
  osType: z.string().min(1).optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits")
    .optional(),
});

/** True when SCP's size in MiB matches the file's size (SCP rounds). */
function sizeMatches(image: Image, sizeBytes: number): boolean {
  return image.size_mb === undefined || Math.abs(image.size_mb * MIB - sizeBytes) < MIB;
}

const ImportOptions = StepOptionsSchema.extend({
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
});

/** Marks an image this workflow made, and the file it holds, so a re-run redoes only its own half-made images. */
const imageMarker = (sha256: string) => `scp-sdk-image/1 sha256=${sha256}`;

/** How an existing image of the wanted name relates to this import. */
type Verdict = "reuse" | "extend" | "redo" | "conflict";

function judge(
  image: Image,
  known: { adminIds: readonly string[]; azIds: readonly string[]; sizeBytes: number; sha256: string },
): Verdict {
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

function refuse(subject: string, path: string, message: string): never {
  throw new ScpValidationError({ subject, issues: [{ path: [path], message }] });
}

/**
 * Uploads a VMA file as a **private** image owned by the **administrator's** tenant, distributes it to every
 * pool, then reads it back to verify private, owner, active, pools and size. Re-running is safe: a complete image
 * of the same name is reused (one this workflow made is extended to missing pools), a half-made one this
 * workflow made is deleted and redone, and anybody else's, or one with other content, is refused.
 * @throws {@link ScpValidationError} for bad input or a non-administrator `ownerId`, and {@link ScpPreflightError}
 * for a name conflict, both before any change; {@link ScpWorkflowError} when a step fails (after cleanup).
 */
export async function importProxyImage(
  scp: ScpClient,
  input: ImportProxyImageInput,
  options: ImportProxyImageOptions = {},
): Promise<ImportProxyImageResult> {
  const subject = "importProxyImage input";
  const i = parseInput(ImportInput, input, subject);
  parseInput(ImportOptions, options, "importProxyImage options");
  const req = requestOptions(options);
  const sizeBytes = await stat(i.file).then(
    (s) => s.size,
    () => refuse(subject, "file", `${i.file} does not exist or cannot be read`),
  );
  const adminIds = (await scp.projects.administrators(req)).map((a) => a.id);
  const ownerId = i.ownerId ?? (await scp.projects.getAdministratorId(req));
  if (!adminIds.includes(ownerId)) {
    refuse(
      subject,
      "ownerId",
      `${ownerId} is not an administrator tenant (administrators: ${adminIds.join(", ") || "none listed"})`,
    );
  }
  const sha256 = i.sha256 ?? (await hashFile(i.file));
  const existing = await scp.images.findByName(i.imageName, {}, req);
  const verdicts = existing.map((image) => ({
    image,
    verdict: judge(image, { adminIds, azIds: i.azIds, sizeBytes, sha256 }),
  }));
  const conflicts = verdicts.filter((v) => v.verdict === "conflict");
  if (conflicts.length > 0) {
    refuseTakenName(
      "importProxyImage",
      i.imageName,
      conflicts.map((c) => c.image),
    );
  }
  const result = (imageId: string, reused: boolean) => ({
    imageId,
    azIds: i.azIds,
    ownerId,
    sizeBytes,
    sha256,
    reused,
  });
  const usable = verdicts.find((v) => v.verdict === "reuse" || v.verdict === "extend");
  const created = new CreatedResources();
  try {
    if (usable) {
      if (usable.verdict === "extend") {
        const azs = [...new Set([...(usable.image.azs ?? []).map((a) => a.id), ...i.azIds])];
        await inStep("extend-to-pools", async () =>
          scp.tasks.wait(await scp.images.update(usable.image.id, { azs }, req), waitOptions(options)),
        );
        await inStep("verify", () => verify(scp, usable.image.id, ownerId, i.azIds, sizeBytes, options));
      }
      return { ...result(usable.image.id, true), ownerId: usable.image.owner_id ?? ownerId };
    }
    for (const { image } of verdicts) {
      await inStep("remove-half-made", () => scp.images.delete(image.id, req), image.id);
    }
    const { imageId, taskId } = await inStep("create-image", () =>
      createImage(scp, i, { ownerId, sha256 }, created, options),
    );
    const upload = await inStep("upload", () =>
      scp.images.upload(
        imageId,
        { file: i.file, sha256 },
        { ...req, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      ),
    );
    // The create task may last until the file is distributed, so wait for both only after the upload.
    await inStep("distribute", () => scp.tasks.waitAll(taskId ? [taskId, upload] : [upload], waitOptions(options)));
    await inStep("verify", () => verify(scp, imageId, ownerId, i.azIds, sizeBytes, options));
    return result(imageId, false);
  } catch (error) {
    const cleanup = options.cleanupOnError ?? WORKFLOW_DEFAULTS.cleanupOnError;
    throw await created.fail("importProxyImage", error, {
      cleanup: cleanup && cleanupBudget(options),
      between: "create-image",
    });
  }
}

/**
 * Creates the image record, marked as this workflow's, and tracks it at once. The create runs without the
 * caller's signal (an abort must not cut a create that may apply); a lost answer is settled by looking the
 * marked image up. Its task may run until the upload is distributed.
 */
async function createImage(
  scp: ScpClient,
  i: z.output<typeof ImportInput>,
  meta: { ownerId: string; sha256: string },
  created: CreatedResources,
  options: StepOptions,
): Promise<{ imageId: string; taskId: string | undefined }> {
  const description = imageMarker(meta.sha256);
  const request = {
    name: i.imageName,
    description,
    azs: i.azIds,
    disk_format: "aCloud" as const,
    image_type: "private" as const,
    owner_id: meta.ownerId,
    ...(i.osType ? { os_type: i.osType } : {}),
  };
  let ref: { imageId: string; taskId?: string };
  try {
    ref = await scp.images.create(request);
  } catch (error) {
    const mineByName = async () =>
      (await scp.images.findByName(i.imageName)).find((image) => image.description === description);
    const found = isOutcomeUnknown(error) ? await lookFor(mineByName, options.pollIntervalMs) : undefined;
    if (!found) {
      throw error;
    }
    ref = { imageId: found.id };
  }
  const { imageId } = ref;
  created.add("image", imageId, () => scp.images.delete(imageId));
  options.signal?.throwIfAborted();
  return { imageId, taskId: ref.taskId };
}

async function verify(
  scp: ScpClient,
  imageId: string,
  ownerId: string,
  azIds: readonly string[],
  sizeBytes: number,
  options: StepOptions,
): Promise<void> {
  const image = await scp.images.get(imageId, requestOptions(options));
  const failed = proxyImageChecks(image, imageId, [ownerId], azIds)
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`);
  if (!sizeMatches(image, sizeBytes)) {
    failed.push(`size ${image.size_mb} MiB, file ${sizeBytes} bytes`);
  }
  if (failed.length > 0 || !azIds.every((az) => availableIn(image, az))) {
    throw new ScpStateError({
      resource: `image ${imageId}`,
      expected: "a private, administrator-owned, active image in every pool",
      actual: failed.join("; "),
    });
  }
}
