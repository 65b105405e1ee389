import { rm } from "node:fs/promises";
import type { ScpClient } from "../client.js";
import { type ScpCheck, ScpPreflightError } from "../errors/workflow.js";
import type { ServerConfig } from "../types.js";
import { parseClient, parseInput } from "../validate.js";
import {
  type CleanupBudget,
  CreatedResources,
  cleanupBudget,
  inStep,
  throwIfAbortedBeforeChanges,
} from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import {
  type Export,
  ExportInput,
  ExportOptions,
  type ExportProxyImageInput,
  type ExportProxyImageOptions,
  type ExportProxyImageResult,
} from "./export-input.js";
import { phaseProgress, writableFile } from "./image-files.js";
import { classify, imageFromServer, restartSource, stopAndWait } from "./source-image.js";
import { requestOptions, waitOptions } from "./step-helpers.js";

/** The SCP release that first exports and downloads images. */
export const IMAGE_EXPORT_MIN_VERSION = "6.11.3";

const WORKFLOW = "exportProxyImage";

/** What the preflight found. */
interface Found {
  config: ServerConfig;
  running: boolean;
  images: ReturnType<typeof classify>;
}

/** Reads the VM and the images of the wanted name; refuses (nothing changed) a VM or name that will not do. */
async function preflight(scp: ScpClient, i: Export, options: ExportProxyImageOptions): Promise<Found> {
  const req = requestOptions(options);
  await scp.system.requireVersion(IMAGE_EXPORT_MIN_VERSION, "image export and download", req);
  const [config, listed, named] = await Promise.all([
    scp.servers.get(i.serverId, req),
    scp.servers.find(i.serverId, req),
    scp.images.findByName(i.imageName, {}, req),
  ]);
  const images = classify(named, i.serverId);
  const running = listed?.power_state === "on";
  const taken = images.taken.map((t) => `image ${t.id} (${t.status}, not made by this workflow from this VM)`);
  const checks: ScpCheck[] = [
    {
      name: "vmtools installed",
      ok: config.vtool_installed === 1,
      detail: `vtool_installed ${config.vtool_installed ?? "unknown"}`,
    },
    {
      name: "VM is stopped",
      ok: images.reuse !== undefined || !running || (options.stopSource ?? D.stopSource),
      detail: running ? "running; pass stopSource to stop it and start it again afterwards" : "stopped",
    },
    { name: `image name ${i.imageName} is free`, ok: taken.length === 0, detail: taken.join(", ") || "yes" },
    { name: "VM is in a pool", ok: config.az_id !== undefined, detail: config.az_id ?? "no az_id" },
  ];
  if (checks.some((c) => !c.ok)) {
    throw new ScpPreflightError({ workflow: WORKFLOW, checks });
  }
  return { config, running, images };
}

/**
 * Makes a VMA image from a stopped golden VM with vmtools, exports it and downloads it streamed to a file with a
 * running SHA-256, resuming after dropped connections (SCP 6.11.3). Re-running reuses the image an earlier run
 * made from the same VM; an image of that name made otherwise is never touched (the run refuses instead).
 * Steps: `preflight`, `stop-source` (with `stopSource`), `make-image`, `export`, `download`, `restart-source`.
 * @throws {@link ScpValidationError} (bad input, or a file that cannot be written), {@link ScpUnsupportedVersionError}
 * or {@link ScpPreflightError} (VM running or without vmtools, name taken) before any change;
 * {@link ScpWorkflowError} when a step fails or the run is aborted, after removing what this run made.
 */
export async function exportProxyImage(
  scp: ScpClient,
  input: ExportProxyImageInput,
  options: ExportProxyImageOptions = {},
): Promise<ExportProxyImageResult> {
  parseClient(scp, `${WORKFLOW} client`);
  const i = parseInput(ExportInput, input, `${WORKFLOW} input`);
  parseInput(ExportOptions, options, `${WORKFLOW} options`);
  await writableFile(i.file, `${WORKFLOW} input`, "file");
  const found = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, () =>
    inStep("preflight", () => preflight(scp, i, options)),
  );
  const created = new CreatedResources();
  const budget = cleanupBudget(options);
  const stopping = { stopped: false };
  let result: ExportProxyImageResult | undefined;
  let failure: unknown;
  try {
    const sourceImageId = found.images.reuse?.id ?? (await makeImage(scp, i, found, created, stopping, options));
    result = {
      sourceImageId,
      file: i.file,
      ...(await exportAndDownload(scp, sourceImageId, i.file, created, options)),
    };
  } catch (error) {
    failure = error;
  }
  if (stopping.stopped) {
    failure = await restartSource(
      scp,
      i.serverId,
      { ...waitOptions(budget), maxWaitMs: budget.maxWaitMs },
      failure,
      created,
    );
  }
  if (failure !== undefined || !result) {
    // A run that only failed to restart the VM keeps its outputs.
    const cleanup: false | CleanupBudget =
      result === undefined && (options.cleanupOnError ?? D.cleanupOnError) && budget;
    throw await created.fail(WORKFLOW, failure, { cleanup, between: "make-image" });
  }
  return result;
}

/** Stops the VM when it runs (noting it, so the caller restarts it whatever happens) and makes the image. */
async function makeImage(
  scp: ScpClient,
  i: Export,
  found: Found,
  created: CreatedResources,
  stopping: { stopped: boolean },
  options: ExportProxyImageOptions,
): Promise<string> {
  if (found.running) {
    stopping.stopped = true; // Before the request: an abort right after it must still restart the VM.
    await inStep("stop-source", () => stopAndWait(scp, i.serverId, options), i.serverId);
  }
  const plan = { ...i, osType: i.osType ?? found.config.os_type ?? D.osType, azId: found.config.az_id as string };
  return inStep("make-image", () => imageFromServer(scp, plan, found.images.stale, created, options), i.imageName);
}

/** Exports the image and downloads it to the file (tracked for cleanup), reporting progress. */
async function exportAndDownload(
  scp: ScpClient,
  imageId: string,
  file: string,
  created: CreatedResources,
  options: ExportProxyImageOptions,
): Promise<{ sizeBytes: number; sha256: string }> {
  const req = requestOptions(options);
  await inStep(
    "export",
    async () => scp.tasks.wait(await scp.images.export(imageId, req), waitOptions(options)),
    imageId,
  );
  created.add("file", file, () => rm(file, { force: true }));
  const progress = phaseProgress("download", options.onProgress);
  const download = await inStep(
    "download",
    () => scp.images.download(imageId, { file }, { ...req, ...progress.transfer }),
    imageId,
  );
  progress.finish(download.sizeBytes);
  return { sizeBytes: download.sizeBytes, sha256: download.sha256 };
}
