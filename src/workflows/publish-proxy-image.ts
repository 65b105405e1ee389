import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScpClient } from "../client.js";
import { parseClient, parseInput } from "../validate.js";
import { inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { usableDirectory } from "./image-files.js";
import {
  PublishInputSchema,
  PublishOptionsSchema,
  type PublishProxyImageInput,
  type PublishProxyImageOptions,
  type PublishProxyImageResult,
} from "./publish-input.js";
import { exportThenImport, findPublished } from "./publish-steps.js";

const WORKFLOW = "publishProxyImage";

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
  parseClient(scp, `${WORKFLOW} client`);
  const i = parseInput(PublishInputSchema, input, `${WORKFLOW} input`);
  parseInput(PublishOptionsSchema, options, `${WORKFLOW} options`);
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
