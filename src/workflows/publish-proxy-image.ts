import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { ScpWorkflowError } from "../errors.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { ExportOptionsSchema, type ExportProxyImageOptions, exportProxyImage } from "./export-proxy-image.js";
import { proxyImageChecks, refuseTakenName } from "./fleet-preflight.js";
import { importProxyImage } from "./import-proxy-image.js";
import { requestOptions } from "./step-helpers.js";

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
  /** Directory for the temporary VMA file. @defaultValue the OS temp directory */
  workDir?: string;
  /** Keep the VMA file and return its path. @defaultValue false */
  keepFile?: boolean;
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

/**
 * Publishes a golden VM as a proxy image in one call: VMA image → export → streamed, checksummed download →
 * private, administrator-owned upload to every pool of the target. When the target already has a complete image
 * of that name, nothing is exported. The temporary file is removed unless `keepFile`.
 * @throws as {@link exportProxyImage} and {@link importProxyImage} do.
 * @example
 * ```ts
 * const published = await publishProxyImage(scp, { serverId: goldenVm, imageName: "proxy-v3", azIds: [poolA, poolB] });
 * ```
 */
export async function publishProxyImage(
  scp: ScpClient,
  input: PublishProxyImageInput,
  options: ExportProxyImageOptions = {},
): Promise<PublishProxyImageResult> {
  const i = parseInput(PublishInput, input, "publishProxyImage input");
  parseInput(ExportOptionsSchema, options, "publishProxyImage options");
  const target = i.targetClient ?? scp;
  const req = requestOptions(options);
  const adminIds = (await target.projects.administrators(req)).map((a) => a.id);
  const namesakes = await target.images.findByName(i.imageName, {}, req);
  const published = namesakes.find((image) => proxyImageChecks(image, image.id, adminIds, i.azIds).every((c) => c.ok));
  if (published) {
    const base = {
      sourceImageId: undefined,
      imageId: published.id,
      azIds: i.azIds,
      ownerId: published.owner_id as string,
    };
    return { ...base, sizeBytes: undefined, sha256: undefined, file: undefined, reused: true };
  }
  // Refuse a name another tenant's or a public image holds before exporting anything (the import would refuse it).
  const foreign = namesakes.filter(
    (image) => image.image_type !== "private" || !adminIds.includes(image.owner_id ?? ""),
  );
  if (foreign.length > 0) {
    refuseTakenName("publishProxyImage", i.imageName, foreign);
  }
  const file = join(
    i.workDir ?? tmpdir(),
    `${i.imageName.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomUUID().slice(0, 8)}.vma`,
  );
  let sourceImageId: string | undefined;
  try {
    const exported = await exportProxyImage(
      scp,
      { serverId: i.serverId, imageName: `${i.imageName}-src`, file, ...(i.osType ? { osType: i.osType } : {}) },
      options,
    );
    sourceImageId = exported.sourceImageId;
    const imported = await importProxyImage(
      target,
      {
        file,
        imageName: i.imageName,
        azIds: i.azIds,
        sha256: exported.sha256,
        ...(i.osType ? { osType: i.osType } : {}),
      },
      options,
    );
    return {
      sourceImageId,
      imageId: imported.imageId,
      azIds: imported.azIds,
      ownerId: imported.ownerId,
      sizeBytes: imported.sizeBytes,
      sha256: imported.sha256,
      file: i.keepFile ? file : undefined,
      reused: imported.reused,
    };
  } catch (error) {
    throw withPublishLeftovers(error, sourceImageId, file, i.keepFile === true);
  } finally {
    if (!i.keepFile) {
      await rm(file, { force: true });
    }
  }
}

/**
 * An import that failed after the export says only what the import left; add the export's outputs: the source VMA
 * image (kept, so a re-run reuses it) and the temporary file (removed unless `keepFile`).
 */
function withPublishLeftovers(
  error: unknown,
  sourceImageId: string | undefined,
  file: string,
  keepFile: boolean,
): unknown {
  if (sourceImageId === undefined || !(error instanceof ScpWorkflowError)) {
    return error;
  }
  const leftovers = [
    ...error.leftovers.filter((l) => !(l.kind === "file" && l.id === file)),
    { kind: "image" as const, id: sourceImageId, state: "remains" as const },
    { kind: "file" as const, id: file, state: keepFile ? ("remains" as const) : ("removed" as const) },
  ];
  return new ScpWorkflowError({
    workflow: "publishProxyImage",
    step: error.step,
    target: error.target,
    leftovers,
    changes: error.changes,
    cause: error.cause,
  });
}
