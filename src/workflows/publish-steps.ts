import { rm } from "node:fs/promises";
import type { ScpClient } from "../client.js";
import { type ScpLeftover, ScpWorkflowError } from "../errors/workflow.js";
import { StepFailure } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { exportProxyImage } from "./export-proxy-image.js";
import { proxyImageChecks, refuseTakenName } from "./image-checks.js";
import { importProxyImage } from "./import-proxy-image.js";
import type { Publish, PublishProxyImageOptions, PublishProxyImageResult } from "./publish-input.js";
import { requestOptions, waitOptions } from "./step-helpers.js";

const WORKFLOW = "publishProxyImage";

/** The target's complete image of that name, if any; refuses a name another tenant's or a public image holds. @internal */
export async function findPublished(
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

/** The options both halves take from publish's. */
function innerOptions(options: PublishProxyImageOptions) {
  return {
    ...waitOptions(options),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.cleanupOnError !== undefined ? { cleanupOnError: options.cleanupOnError } : {}),
    ...(options.cleanupMaxWaitMs !== undefined ? { cleanupMaxWaitMs: options.cleanupMaxWaitMs } : {}),
  };
}

/** Exports to the file, imports it into the target, and removes the file (unless kept) whatever happens. @internal */
export async function exportThenImport(
  scp: ScpClient,
  target: ScpClient,
  i: Publish,
  file: string,
  options: PublishProxyImageOptions,
): Promise<PublishProxyImageResult> {
  const keepFile = i.keepFile ?? D.keepFile;
  const os = i.osType ? { osType: i.osType } : {};
  const common = innerOptions(options);
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
  // The file is removed below (`finally`) unless kept, whatever the half that failed said of it.
  const leftovers: ScpLeftover[] = (inner?.leftovers ?? []).map((l) =>
    l.kind === "file" && l.id === file && !keepFile ? { ...l, state: "removed" as const } : l,
  );
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
