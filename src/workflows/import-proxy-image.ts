import { stat } from "node:fs/promises";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown, ScpPreflightError, ScpStateError, ScpValidationError } from "../errors.js";
import { hashFile } from "../hash-file.js";
import type { TransferOptions } from "../resources/image-transfer.js";
import type { Image } from "../types.js";
import { parseInput } from "../validate.js";
import { CreatedResources, inStep } from "./created-resources.js";
import { availableIn, proxyImageChecks } from "./fleet-preflight.js";
import { requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

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
  azIds: z.array(z.string().min(1)).min(1, "must name at least one resource pool"),
  ownerId: z.string().min(1).optional(),
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

/** How an existing image of the wanted name relates to this import. */
type Verdict = "reuse" | "extend" | "redo" | "conflict";

function judge(image: Image, adminIds: readonly string[], azIds: readonly string[], sizeBytes: number): Verdict {
  if (image.image_type !== "private" || !adminIds.includes(image.owner_id ?? "")) {
    return "conflict"; // Somebody else's image: never touched.
  }
  if (image.status !== "active") {
    return "redo"; // Half-made by a run that did not finish.
  }
  if (!sizeMatches(image, sizeBytes)) {
    return "conflict"; // A complete image of other content: in use, perhaps; not ours to replace.
  }
  return azIds.every((az) => availableIn(image, az)) ? "reuse" : "extend";
}

function refuse(subject: string, path: string, message: string): never {
  throw new ScpValidationError({ subject, issues: [{ path: [path], message }] });
}

/**
 * Uploads a VMA file as a **private** image owned by the **administrator's** tenant, distributes it to every
 * pool, then reads it back to verify private, owner, active, pools and size. Re-running is safe: a complete image
 * of the same name is reused (and extended to missing pools), a half-made one of ours is deleted and redone, and
 * anybody else's, or a complete one with other content, is refused.
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
  const existing = await scp.images.findByName(i.imageName, {}, req);
  const verdicts = existing.map((image) => ({ image, verdict: judge(image, adminIds, i.azIds, sizeBytes) }));
  const conflicts = verdicts.filter((v) => v.verdict === "conflict");
  if (conflicts.length > 0) {
    const checks = conflicts.map(({ image: f }) => ({
      name: `image name ${i.imageName} is free`,
      ok: false,
      detail: `image ${f.id} (${f.image_type}, owner ${f.owner_id}, ${f.size_mb} MiB, ${f.status}) has it; pick another name`,
    }));
    throw new ScpPreflightError({ workflow: "importProxyImage", checks });
  }
  const sha256 = i.sha256 ?? (await hashFile(i.file));
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
        await inStep("extend to pools", async () =>
          scp.tasks.wait(await scp.images.update(usable.image.id, { azs }, req), waitOptions(options)),
        );
        await inStep("verify", () => verify(scp, usable.image.id, ownerId, i.azIds, sizeBytes, options));
      }
      return result(usable.image.id, true);
    }
    for (const { image } of verdicts) {
      await inStep("remove half-made image", () => scp.images.delete(image.id, req));
    }
    const { imageId, taskId } = await inStep("create image", () => createImage(scp, i, ownerId, created, options));
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
    throw await created.fail("importProxyImage", error, options.cleanupOnError ?? true);
  }
}

/** Creates the image record (adopting it by name after a lost answer); its task may run until the upload is distributed. */
async function createImage(
  scp: ScpClient,
  i: z.output<typeof ImportInput>,
  ownerId: string,
  created: CreatedResources,
  options: StepOptions,
): Promise<{ imageId: string; taskId: string | undefined }> {
  const req = requestOptions(options);
  const request = {
    name: i.imageName,
    azs: i.azIds,
    disk_format: "aCloud" as const,
    image_type: "private" as const,
    owner_id: ownerId,
    ...(i.osType ? { os_type: i.osType } : {}),
  };
  let ref: { imageId: string; taskId?: string };
  try {
    ref = await scp.images.create(request, req);
  } catch (error) {
    // A lost answer: the image may exist; adopt it by name rather than make a second.
    const found = isOutcomeUnknown(error) ? (await scp.images.findByName(i.imageName, {}, req))[0] : undefined;
    if (!found) {
      throw error;
    }
    ref = { imageId: found.id };
  }
  const { imageId } = ref;
  created.add("image", imageId, () => scp.images.delete(imageId));
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
