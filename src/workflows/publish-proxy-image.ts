import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { type ScpLeftover, ScpWorkflowError } from "../errors.js";
import { WaitDurationSchema } from "../tasks/poller.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { inStep, StepFailure, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { exportProxyImage } from "./export-proxy-image.js";
import { proxyImageChecks, refuseTakenName } from "./image-checks.js";
import { type ImageProgress, usableDirectory } from "./image-files.js";
import { importProxyImage } from "./import-proxy-image.js";
import { requestOptions, type StepOptions, StepOptionsSchema, waitOptions } from "./step-helpers.js";

const WORKFLOW = "publishProxyImage";

/** What to publish. */
export interface PublishProxyImageInput {
  /** The golden proxy VM. */
  serverId: string;
  /** Name of the published image (the intermediate VMA image on the source is named `<imageName>-src`). */
  imageName: string;
  /** Pools of the target platform to publish to. */
  azIds: readonly string[];
  /** OS type code. */
  osType?: string;
  /** Publish to another SCP; the source otherwise. */
  targetClient?: ScpClient;
  /** Directory for the temporary VMA file (created if missing; must be writable). @defaultValue the OS temp directory */
  workDir?: string;
  /** Keep the VMA file and return its path. @defaultValue false */
  keepFile?: boolean;
}

/** How to publish. */
export interface PublishProxyImageOptions extends StepOptions {
  /** Stop a running golden VM for the export and start it again afterwards. @defaultValue false */
  stopSource?: boolean;
  /** Progress of the download from the source (phase `download`) and the upload to the target (`upload`), each ending at 100%. */
  onProgress?: (event: ImageProgress) => void;
  /** Remove what a failed step of this run made (the intermediate image made by a finished export stays, for a re-run). @defaultValue true */
  cleanupOnError?: boolean;
  /** Longest time that removal may take. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
}

/** The published image. */
export interface PublishProxyImageResult {
  /** The VMA image made on the source; undefined when an existing published image was reused. */
  sourceImageId: string | undefined;
  /** The published private, administrator-owned image. */
  imageId: string;
  /** Its pools. */
  azIds: readonly string[];
  /** Its owner. */
  ownerId: string;
  /** File size (undefined when reused without exporting). */
  sizeBytes: number | undefined;
  /** File SHA-256 (undefined when reused without exporting). */
  sha256: string | undefined;
  /** The kept VMA file, with `keepFile`. */
  file: string | undefined;
  /** True when the target already had the complete image and nothing was exported. */
  reused: boolean;
}

const PublishInput = z.strictObject({
  serverId: ScpIdSchema,
  imageName: z.string().trim().min(1).max(120),
  azIds: z.array(ScpIdSchema).min(1, "must name at least one resource pool"),
  osType: z.string().min(1).optional(),
  targetClient: z
    .custom<ScpClient>((v) => typeof v === "object" && v !== null && "images" in v, "must be an ScpClient")
    .optional(),
  workDir: z.string().min(1).optional(),
  keepFile: z.boolean().optional(),
});

const PublishOptions = StepOptionsSchema.extend({
  stopSource: z.boolean().optional(),
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
});

type Publish = z.output<typeof PublishInput>;

/**
 * Publishes a golden VM as a proxy image in one call: VMA image → export → streamed, checksummed download →
 * private, administrator-owned upload to every pool of the target. When the target already has a complete image
 * of that name, nothing is exported. The temporary file is removed unless `keepFile`. Steps: `preflight`, then
 * those of {@link exportProxyImage} and {@link importProxyImage}.
 * @throws {@link ScpValidationError} (bad input, or a work directory that is not a writable directory),
 * {@link ScpUnsupportedVersionError} or {@link ScpPreflightError} before any change; {@link ScpWorkflowError} when
 * a step fails or the run is aborted, listing everything the run left (the intermediate image, the file).
 * @example
 * ```ts
 * const published = await publishProxyImage(scp, { serverId: goldenVm, imageName: "proxy-v3", azIds: [poolA, poolB] });
 * ```
 */
export async function publishProxyImage(
  scp: ScpClient,
  input: PublishProxyImageInput,
  options: PublishProxyImageOptions = {},
): Promise<PublishProxyImageResult> {
  const i = parseInput(PublishInput, input, `${WORKFLOW} input`);
  parseInput(PublishOptions, options, `${WORKFLOW} options`);
  const workDir = i.workDir ?? tmpdir();
  await usableDirectory(workDir, `${WORKFLOW} input`, "workDir");
  const target = i.targetClient ?? scp;
  const published = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, () =>
    inStep("preflight", () => findPublished(target, i, options), i.imageName),
  );
  if (published) {
    return published;
  }
  const file = join(workDir, `${i.imageName.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomUUID().slice(0, 8)}.vma`);
  return exportThenImport(scp, target, i, file, options);
}

/** The target's complete image of that name, if any; refuses a name another tenant's or a public image holds. */
async function findPublished(
  target: ScpClient,
  i: Publish,
  options: PublishProxyImageOptions,
): Promise<PublishProxyImageResult | undefined> {
  const req = requestOptions(options);
  const adminIds = (await target.projects.administrators(req)).map((a) => a.id);
  const namesakes = await target.images.findByName(i.imageName, {}, req);
  const published = namesakes.find((image) => proxyImageChecks(image, image.id, adminIds, i.azIds).every((c) => c.ok));
  if (published) {
    const { id: imageId, owner_id } = published;
    const base = { sourceImageId: undefined, imageId, azIds: i.azIds, ownerId: owner_id as string };
    return { ...base, sizeBytes: undefined, sha256: undefined, file: undefined, reused: true };
  }
  // The import would refuse these: refuse before exporting anything.
  const foreign = namesakes.filter(
    (image) => image.image_type !== "private" || !adminIds.includes(image.owner_id ?? ""),
  );
  if (foreign.length > 0) {
    refuseTakenName(WORKFLOW, i.imageName, foreign);
  }
  return undefined;
}

/** Exports to the file, imports it into the target, and removes the file (unless kept) whatever happens. */
async function exportThenImport(
  scp: ScpClient,
  target: ScpClient,
  i: Publish,
  file: string,
  options: PublishProxyImageOptions,
): Promise<PublishProxyImageResult> {
  const keepFile = i.keepFile ?? D.keepFile;
  const os = i.osType ? { osType: i.osType } : {};
  const common = {
    ...waitOptions(options),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.cleanupOnError !== undefined ? { cleanupOnError: options.cleanupOnError } : {}),
    ...(options.cleanupMaxWaitMs !== undefined ? { cleanupMaxWaitMs: options.cleanupMaxWaitMs } : {}),
  };
  let sourceImageId: string | undefined;
  try {
    const exportInput = { serverId: i.serverId, imageName: `${i.imageName}-src`, file, ...os };
    const exported = await exportProxyImage(scp, exportInput, {
      ...common,
      stopSource: options.stopSource ?? D.stopSource,
    });
    sourceImageId = exported.sourceImageId;
    const { imageName, azIds } = i;
    const imported = await importProxyImage(target, { file, imageName, azIds, sha256: exported.sha256, ...os }, common);
    const { imageId, ownerId, sizeBytes, sha256, reused } = imported;
    return {
      sourceImageId,
      imageId,
      azIds: imported.azIds,
      ownerId,
      sizeBytes,
      sha256,
      file: keepFile ? file : undefined,
      reused,
    };
  } catch (error) {
    throw withPublishLeftovers(error, sourceImageId, file, keepFile);
  } finally {
    if (!keepFile) {
      await rm(file, { force: true });
    }
  }
}

/**
 * The failure as this workflow's: once the export made its image, any failure (a refusal of the import, an
 * abort between the halves) is an {@link ScpWorkflowError} that lists the source VMA image (kept, so a re-run
 * reuses it) and the temporary file (removed unless `keepFile`). Before that, a refusal is thrown as it is.
 */
function withPublishLeftovers(
  error: unknown,
  sourceImageId: string | undefined,
  file: string,
  keepFile: boolean,
): unknown {
  const inner = error instanceof ScpWorkflowError ? error : undefined;
  if (sourceImageId === undefined && !inner) {
    return error;
  }
  const leftovers: ScpLeftover[] = [...(inner?.leftovers ?? [])];
  if (sourceImageId !== undefined) {
    leftovers.push({ kind: "image", id: sourceImageId, state: "remains" });
  }
  if (sourceImageId !== undefined && !leftovers.some((l) => l.kind === "file" && l.id === file)) {
    leftovers.push({ kind: "file", id: file, state: keepFile ? "remains" : "removed" });
  }
  const failure = inner ? new StepFailure(inner.step, inner.cause, inner.target) : new StepFailure("preflight", error);
  return new ScpWorkflowError({
    workflow: WORKFLOW,
    step: failure.step,
    target: failure.target,
    leftovers,
    changes: inner?.changes ?? [],
    cause: failure.cause,
  });
}
