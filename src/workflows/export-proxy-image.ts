import { rm } from "node:fs/promises";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown, type ScpCheck, ScpPreflightError } from "../errors.js";
import type { DownloadOptions } from "../resources/image-transfer.js";
import type { Image } from "../types.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { CreatedResources, cleanupBudget, inStep, StepFailure } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import {
  applyOnce,
  pollUntil,
  requestOptions,
  type StepOptions,
  StepOptionsSchema,
  waitOptions,
} from "./step-helpers.js";

/** The SCP release that first exports and downloads images. */
export const IMAGE_EXPORT_MIN_VERSION = "6.11.3";

/** What to export. */
export interface ExportProxyImageInput {
  /** The golden proxy VM (vmtools installed). */
  serverId: string;
  /** Name of the VMA image made from it; one this workflow made earlier from the same VM is reused. */
  imageName: string;
  /** Local file to download the VMA to (created or overwritten; removed if the export fails). */
  file: string;
  /** OS type code of the image. @defaultValue the VM's os_type, or "l2664" */
  osType?: string;
}

/** How to export. */
export interface ExportProxyImageOptions extends StepOptions {
  /** Stop a running VM for the export and start it again afterwards. @defaultValue false */
  stopSource?: boolean;
  /** Download progress. */
  onProgress?: DownloadOptions["onProgress"];
  /** Remove the image and file this run created when a later step fails. @defaultValue true */
  cleanupOnError?: boolean;
}

/** The exported image and the downloaded file. */
export interface ExportProxyImageResult {
  /** The VMA image made from the VM (left in place). */
  sourceImageId: string;
  /** The file written. */
  file: string;
  /** Its size. */
  sizeBytes: number;
  /** Its hex SHA-256. */
  sha256: string;
}

const ExportInput = z.strictObject({
  serverId: ScpIdSchema,
  imageName: z.string().trim().min(1).max(128),
  file: z.string().min(1),
  osType: z.string().min(1).optional(),
});

/** @internal */
export const ExportOptionsSchema = StepOptionsSchema.extend({
  stopSource: z.boolean().optional(),
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
});

/** Marks a VMA image this workflow made, and from which VM, so a re-run reuses or redoes only its own. */
const sourceMarker = (serverId: string) => `scp-sdk-source-image/1 server=${serverId}`;

/** Sorts the images already named `imageName`: ours to reuse, ours half-made, and anybody else's. */
function classify(images: readonly Image[], serverId: string) {
  const ours = (image: Image) => image.description === sourceMarker(serverId);
  return {
    reuse: images.find((image) => ours(image) && image.status === "active"),
    stale: images.filter((image) => ours(image) && (image.status === "saving" || image.status === "error")),
    taken: images.filter((image) => !ours(image) || image.status === "deactivated"),
  };
}

/**
 * Makes a VMA image from a stopped golden VM with vmtools, exports it and downloads it streamed to a file with a
 * running SHA-256, resuming after dropped connections (SCP 6.11.3). Re-running reuses the image an earlier run
 * made from the same VM; an image of that name made otherwise is never touched (the run refuses instead).
 * @throws {@link ScpUnsupportedVersionError} or {@link ScpPreflightError} (VM running or without vmtools, name
 * taken) before any change; {@link ScpWorkflowError} when a step fails, after removing what this run made.
 */
export async function exportProxyImage(
  scp: ScpClient,
  input: ExportProxyImageInput,
  options: ExportProxyImageOptions = {},
): Promise<ExportProxyImageResult> {
  const i = parseInput(ExportInput, input, "exportProxyImage input");
  parseInput(ExportOptionsSchema, options, "exportProxyImage options");
  const req = requestOptions(options);
  await scp.system.requireVersion(IMAGE_EXPORT_MIN_VERSION, "image export and download", req);
  const [config, listed, named] = await Promise.all([
    scp.servers.get(i.serverId, req),
    scp.servers.find(i.serverId, req),
    scp.images.findByName(i.imageName, {}, req),
  ]);
  const images = classify(named, i.serverId);
  const running = listed?.power_state === "on";
  const checks: ScpCheck[] = [
    {
      name: "vmtools installed",
      ok: config.vtool_installed === 1,
      detail: `vtool_installed ${config.vtool_installed ?? "unknown"}`,
    },
    {
      name: "VM is stopped",
      ok: images.reuse !== undefined || !running || (options.stopSource ?? WORKFLOW_DEFAULTS.stopSource),
      detail: running ? "running; pass stopSource to stop it and start it again afterwards" : "stopped",
    },
    {
      name: `image name ${i.imageName} is free`,
      ok: images.taken.length === 0,
      detail:
        images.taken.map((t) => `image ${t.id} (${t.status}, not made by this workflow from this VM)`).join(", ") ||
        "yes",
    },
    { name: "VM is in a pool", ok: config.az_id !== undefined, detail: config.az_id ?? "no az_id" },
  ];
  if (checks.some((c) => !c.ok)) {
    throw new ScpPreflightError({ workflow: "exportProxyImage", checks });
  }
  const created = new CreatedResources();
  const plan = { ...i, osType: i.osType ?? config.os_type ?? WORKFLOW_DEFAULTS.osType, azId: config.az_id as string };
  let stopped = false;
  let failure: unknown;
  let result: ExportProxyImageResult | undefined;
  try {
    let sourceImageId = images.reuse?.id;
    if (!sourceImageId) {
      if (running) {
        stopped = true; // Before the request: an abort right after it must still restart the VM.
        await inStep("stop-source", () => stopAndWait(scp, i.serverId, options), i.serverId);
      }
      sourceImageId = await inStep("make-image", () => imageFromServer(scp, plan, images.stale, created, options));
    }
    const id = sourceImageId;
    await inStep("export", async () => scp.tasks.wait(await scp.images.export(id, req), waitOptions(options)), id);
    created.add("file", i.file, () => rm(i.file, { force: true }));
    const download = await inStep("download", () =>
      scp.images.download(
        id,
        { file: i.file },
        { ...req, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      ),
    );
    result = { sourceImageId: id, file: i.file, sizeBytes: download.sizeBytes, sha256: download.sha256 };
  } catch (error) {
    failure = error;
  }
  if (stopped) {
    failure = await restartSource(scp, i.serverId, options, failure, created);
  }
  if (failure !== undefined || !result) {
    // A run that only failed to restart the VM keeps its outputs.
    const cleanup = result === undefined && (options.cleanupOnError ?? WORKFLOW_DEFAULTS.cleanupOnError);
    throw await created.fail("exportProxyImage", failure, {
      cleanup: cleanup && cleanupBudget(options),
      between: "make-image",
    });
  }
  return result;
}

/**
 * Starts the golden VM again if it is off, without the caller's signal so an abort cannot leave it off. Returns
 * the failure to report: the earlier one (noting a failed restart), or the restart's own.
 */
async function restartSource(
  scp: ScpClient,
  serverId: string,
  options: StepOptions,
  failure: unknown,
  created: CreatedResources,
): Promise<unknown> {
  const { signal: _callerSignal, ...unabortable } = options;
  try {
    if ((await scp.servers.find(serverId))?.power_state === "off") {
      await scp.tasks.wait(await scp.servers.start(serverId), waitOptions(unabortable));
    }
    return failure;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    created.note(`left the golden VM ${serverId} powered off (restart failed: ${message})`);
    return failure ?? new StepFailure("restart-source", error, serverId);
  }
}

async function stopAndWait(scp: ScpClient, serverId: string, options: StepOptions): Promise<void> {
  const req = requestOptions(options);
  const isOff = async () => (await scp.servers.find(serverId, req))?.power_state === "off";
  const ref = await applyOnce(() => scp.servers.stop(serverId, {}, req), isOff);
  if (ref) {
    await scp.tasks.wait(ref, waitOptions(options));
  }
  await pollUntil(
    isOff,
    { done: (off) => off, resource: `server ${serverId}`, expected: "powered off", describe: () => "still on" },
    options,
  );
}

/** Removes this workflow's half-made images of the name and makes a new one from the VM, tracked at once. */
async function imageFromServer(
  scp: ScpClient,
  i: { serverId: string; imageName: string; osType: string; azId: string },
  stale: readonly Image[],
  created: CreatedResources,
  options: StepOptions,
): Promise<string> {
  const req = requestOptions(options);
  for (const image of stale) {
    await scp.images.delete(image.id, req);
  }
  const description = sourceMarker(i.serverId);
  const request = { server_id: i.serverId, name: i.imageName, os_type: i.osType, azs: [i.azId], description };
  const findNew = async () =>
    (await scp.images.findByName(i.imageName)).find((image) => image.description === description);
  let ref: { taskId: string } | undefined;
  try {
    // No caller signal: the create may apply even if aborted mid-flight, so it runs to its answer and is tracked.
    ref = await scp.images.createFromServer(request);
  } catch (error) {
    if (!isOutcomeUnknown(error)) {
      throw error;
    }
  }
  // SCP answers without the image id: find it by name and marker, and track it before anything can abort.
  const { signal: _callerSignal, ...unabortable } = options;
  const listedCheck = {
    done: (img: Image | undefined) => img !== undefined,
    resource: `image ${i.imageName}`,
    expected: "listed",
    describe: () => "not listed",
  };
  const image = await pollUntil(findNew, listedCheck, { ...unabortable, maxWaitMs: 60_000 });
  const imageId = (image as Image).id;
  created.add("image", imageId, () => scp.images.delete(imageId));
  options.signal?.throwIfAborted();
  if (ref) {
    await scp.tasks.wait(ref, waitOptions(options));
  }
  const failed = (img: Image) => (img.status === "error" ? (img.message ?? "image error") : undefined);
  await pollUntil(
    () => scp.images.get(imageId, req),
    {
      done: (img) => img.status === "active",
      failed,
      resource: `image ${imageId}`,
      expected: "active",
      describe: (img) => img.status,
    },
    options,
  );
  return imageId;
}
