import { rm } from "node:fs/promises";
import { z } from "zod";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown, type ScpCheck, ScpPreflightError } from "../errors.js";
import type { DownloadOptions } from "../resources/image-transfer.js";
import { parseInput } from "../validate.js";
import { CreatedResources, inStep } from "./created-resources.js";
import { applyOnce, pollUntil, requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

/** The SCP release that first exports and downloads images. */
export const IMAGE_EXPORT_MIN_VERSION = "6.11.3";

/** What to export. */
export interface ExportProxyImageInput {
  /** The golden proxy VM (vmtools installed). */
  serverId: string;
  /** Name of the VMA image made from it; an active image of this name is reused as the source. */
  imageName: string;
  /** Local file to download the VMA to (created or overwritten). */
  file: string;
  /** OS type code of the image. @defaultValue the VM's os_type, else "l2664" */
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
  serverId: z.string().min(1),
  imageName: z.string().trim().min(1).max(128),
  file: z.string().min(1),
  osType: z.string().min(1).optional(),
});

/**
 * Makes a VMA image from a stopped golden VM with vmtools, exports it and downloads it streamed to a file with a
 * running SHA-256, resuming after dropped connections (SCP 6.11.3).
 * @throws {@link ScpUnsupportedVersionError} or {@link ScpPreflightError} (VM missing, running, or without vmtools)
 * before any change; {@link ScpWorkflowError} when a step fails, after removing what this run made.
 */
export async function exportProxyImage(
  scp: ScpClient,
  input: ExportProxyImageInput,
  options: ExportProxyImageOptions = {},
): Promise<ExportProxyImageResult> {
  const i = parseInput(ExportInput, input, "exportProxyImage input");
  const req = requestOptions(options);
  await scp.system.requireVersion(IMAGE_EXPORT_MIN_VERSION, "image export and download", req);
  const [config, listed] = await Promise.all([scp.servers.get(i.serverId, req), scp.servers.find(i.serverId, req)]);
  const running = listed?.power_state === "on";
  const checks: ScpCheck[] = [
    {
      name: "vmtools installed",
      ok: config.vtool_installed === 1,
      detail: `vtool_installed ${config.vtool_installed ?? "unknown"}`,
    },
    {
      name: "VM is stopped",
      ok: !running || options.stopSource === true,
      detail: running ? "running; pass stopSource to stop it and start it again afterwards" : "stopped",
    },
  ];
  if (checks.some((c) => !c.ok) || !config.az_id) {
    throw new ScpPreflightError({ workflow: "exportProxyImage", checks });
  }
  const azId = config.az_id;
  const created = new CreatedResources();
  let restart = false;
  try {
    if (running) {
      await inStep("stop source VM", () => stopAndWait(scp, i.serverId, options));
      restart = true;
    }
    const sourceImageId = await inStep("make image from VM", () =>
      imageFromServer(scp, { ...i, osType: i.osType ?? config.os_type ?? "l2664", azId }, created, options),
    );
    await inStep("export image", async () =>
      scp.tasks.wait(await scp.images.export(sourceImageId, req), waitOptions(options)),
    );
    created.add("file", i.file, () => rm(i.file, { force: true }));
    const download = await inStep("download image", () =>
      scp.images.download(
        sourceImageId,
        { file: i.file },
        { ...req, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      ),
    );
    return { sourceImageId, file: i.file, sizeBytes: download.sizeBytes, sha256: download.sha256 };
  } catch (error) {
    throw await created.fail("exportProxyImage", error, options.cleanupOnError ?? true);
  } finally {
    if (restart) {
      // Put the golden VM back as it was, whatever happened; without the caller's signal, so an abort cannot leave it off.
      const { signal: _callerSignal, ...unabortable } = options;
      await scp.tasks.wait(await scp.servers.start(i.serverId), waitOptions(unabortable));
    }
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

/** Reuses an active image of the name, removes half-made ones, or makes a new one from the VM. */
async function imageFromServer(
  scp: ScpClient,
  i: { serverId: string; imageName: string; osType: string; azId: string },
  created: CreatedResources,
  options: StepOptions,
): Promise<string> {
  const req = requestOptions(options);
  const existing = await scp.images.findByName(i.imageName, {}, req);
  const active = existing.find((image) => image.status === "active");
  if (active) {
    return active.id;
  }
  for (const stale of existing) {
    await scp.images.delete(stale.id, req);
  }
  const request = { server_id: i.serverId, name: i.imageName, os_type: i.osType, azs: [i.azId] };
  const findNew = async () => (await scp.images.findByName(i.imageName, {}, req))[0];
  let ref: { taskId: string } | undefined;
  try {
    ref = await scp.images.createFromServer(request, req);
  } catch (error) {
    if (!isOutcomeUnknown(error) || !(await findNew())) {
      throw error;
    }
  }
  // SCP answers without the image id: find it by name, and track it before waiting.
  const image = await pollUntil(
    findNew,
    {
      done: (img) => img !== undefined,
      resource: `image ${i.imageName}`,
      expected: "listed",
      describe: () => "not listed",
    },
    options,
  );
  const imageId = (image as { id: string }).id;
  created.add("image", imageId, () => scp.images.delete(imageId));
  if (ref) {
    await scp.tasks.wait(ref, waitOptions(options));
  }
  await pollUntil(
    () => scp.images.get(imageId, req),
    {
      done: (img) => img.status === "active",
      failed: (img) => (img.status === "error" ? (img.message ?? "image error") : undefined),
      resource: `image ${imageId}`,
      expected: "active",
      describe: (img) => img.status,
    },
    options,
  );
  return imageId;
}
