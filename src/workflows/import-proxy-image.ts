import { z } from "zod";
import type { ScpClient } from "../client.js";
import { ScpValidationError } from "../errors/call.js";
import { hashFile } from "../hash-file.js";
import { WaitDurationSchema } from "../tasks/schedule.js";
import { parseClient, parseInput, ScpIdSchema } from "../validate.js";
import { CreatedResources, cleanupBudget, inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { refuseTakenName } from "./image-checks.js";
import { type ImageProgress, phaseProgress, readableFile } from "./image-files.js";
import { extendToPools, type ImportFacts, judge, uploadNew } from "./image-import-steps.js";
import { requestOptions, type StepOptions, StepOptionsSchema } from "./step-helpers.js";

const WORKFLOW = "importProxyImage";

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
  /** Progress of hashing the file (phase `hash`, when no `sha256` is given) and of the upload (`upload`). */
  onProgress?: (event: ImageProgress) => void;
  /** Delete the image this run created when a later step fails. @defaultValue true */
  cleanupOnError?: boolean;
  /** Longest time that removal may take. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
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

const ImportOptions = StepOptionsSchema.extend({
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
});

/** Who may own the image, and the file's digest (hashed here when not given). */
async function preflight(
  scp: ScpClient,
  i: z.output<typeof ImportInput>,
  sizeBytes: number,
  options: ImportProxyImageOptions,
): Promise<ImportFacts> {
  const req = requestOptions(options);
  const adminIds = (await scp.projects.administrators(req)).map((a) => a.id);
  const ownerId = i.ownerId ?? (await scp.projects.getAdministratorId(req));
  if (!adminIds.includes(ownerId)) {
    const message = `${ownerId} is not an administrator tenant (administrators: ${adminIds.join(", ") || "none listed"})`;
    throw new ScpValidationError({ subject: `${WORKFLOW} input`, issues: [{ path: ["ownerId"], message }] });
  }
  let sha256 = i.sha256;
  if (sha256 === undefined) {
    const progress = phaseProgress("hash", options.onProgress);
    sha256 = await hashFile(i.file);
    progress.finish(sizeBytes);
  }
  const { file, imageName, azIds, osType } = i;
  return { file, imageName, azIds, osType, adminIds, ownerId, sizeBytes, sha256 };
}

/**
 * Uploads a VMA file as a **private** image owned by the **administrator's** tenant, distributes it to every
 * pool, then reads it back to verify private, owner, active, pools and size. Re-running is safe: a complete image
 * of the same name is reused (one this workflow made is extended to missing pools), a half-made one this
 * workflow made is deleted and redone, and anybody else's, or one with other content, is refused. Steps:
 * `preflight`, `remove-half-made`, `create-image`, `upload`, `distribute`, `verify` (or `extend-to-pools`, `verify`).
 * @throws {@link ScpValidationError} for bad input, an unreadable file or a non-administrator `ownerId`, and
 * {@link ScpPreflightError} for a name conflict, all before any change; {@link ScpWorkflowError} when a step fails
 * or the run is aborted (after cleanup).
 */
export async function importProxyImage(
  scp: ScpClient,
  input: ImportProxyImageInput,
  options: ImportProxyImageOptions = {},
): Promise<ImportProxyImageResult> {
  parseClient(scp, `${WORKFLOW} client`);
  const i = parseInput(ImportInput, input, `${WORKFLOW} input`);
  parseInput(ImportOptions, options, `${WORKFLOW} options`);
  const sizeBytes = await readableFile(i.file, `${WORKFLOW} input`, "file");
  const { facts, verdicts } = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, () =>
    inStep("preflight", async () => {
      const facts = await preflight(scp, i, sizeBytes, options);
      const existing = await scp.images.findByName(i.imageName, {}, requestOptions(options));
      const verdicts = existing.map((image) => ({ image, verdict: judge(image, facts) }));
      const conflicts = verdicts.filter((v) => v.verdict === "conflict").map((v) => v.image);
      if (conflicts.length > 0) {
        refuseTakenName(WORKFLOW, i.imageName, conflicts);
      }
      return { facts, verdicts };
    }),
  );
  const result = (imageId: string, reused: boolean, ownerId = facts.ownerId) => {
    const { azIds, sha256 } = facts;
    return { imageId, azIds, ownerId, sizeBytes, sha256, reused };
  };
  const usable = verdicts.find((v) => v.verdict === "reuse" || v.verdict === "extend");
  const created = new CreatedResources();
  try {
    if (usable?.verdict === "extend") {
      await extendToPools(scp, usable.image, facts, options);
    }
    if (usable) {
      return result(usable.image.id, true, usable.image.owner_id ?? facts.ownerId);
    }
    const halfMade = verdicts.map((v) => v.image);
    return result(await uploadNew(scp, facts, halfMade, created, options), false);
  } catch (error) {
    const cleanup = (options.cleanupOnError ?? D.cleanupOnError) && cleanupBudget(options);
    throw await created.fail(WORKFLOW, error, { cleanup, between: "create-image" });
  }
}
