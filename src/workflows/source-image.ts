import type { ScpClient } from "../client.js";
import { isOutcomeUnknown } from "../errors/call.js";
import type { Image } from "../types.js";
import { type CreatedResources, StepFailure } from "./created-resources.js";
import { deleteImage } from "./delete-image.js";
import { lookFor, pollUntil, requestOptions, runTask, type StepOptions, waitOptions } from "./step-helpers.js";

/** Marks a VMA image the export made, and from which VM, so a re-run reuses or redoes only its own. @internal */
export const sourceMarker = (serverId: string) => `scp-sdk-source-image/1 server=${serverId}`;

/** How long a new image may take to appear in the list after SCP accepted its creation. */
const LISTED_WITHIN_MS = 60_000;

/** Sorts the images already named like the wanted one: ours to reuse, ours half-made, and anybody else's. @internal */
export function classify(images: readonly Image[], serverId: string) {
  const ours = (image: Image) => image.description === sourceMarker(serverId);
  return {
    reuse: images.find((image) => ours(image) && image.status === "active"),
    stale: images.filter((image) => ours(image) && (image.status === "saving" || image.status === "error")),
    taken: images.filter((image) => !ours(image) || image.status === "deactivated"),
  };
}

/** Shuts the golden VM down and waits until it is off. @internal */
export async function stopAndWait(scp: ScpClient, serverId: string, options: StepOptions): Promise<void> {
  const req = requestOptions(options);
  const isOff = async () => (await scp.servers.find(serverId, req))?.power_state === "off";
  await runTask(scp, () => scp.servers.stop(serverId, {}, req), isOff, options);
  await pollUntil(
    isOff,
    { done: (off) => off, resource: `server ${serverId}`, expected: "powered off", describe: () => "still on" },
    options,
  );
}

/**
 * Starts the golden VM again if it is off, without the caller's signal so an abort cannot leave it off (within
 * `budget`). Returns the failure to report: the earlier one (noting a failed restart), or the restart's own.
 * @internal
 */
export async function restartSource(
  scp: ScpClient,
  serverId: string,
  budget: StepOptions,
  failure: unknown,
  created: CreatedResources,
): Promise<unknown> {
  try {
    if ((await scp.servers.find(serverId))?.power_state === "off") {
      await scp.tasks.wait(await scp.servers.start(serverId), waitOptions(budget));
    }
    return failure;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    created.note(`left the golden VM ${serverId} powered off (restart failed: ${message})`);
    return failure ?? new StepFailure("restart-source", error, serverId);
  }
}

/** What to make the VMA image from, and as what. @internal */
export interface SourceImagePlan {
  serverId: string;
  imageName: string;
  osType: string;
  azId: string;
}

/** What the error says of an image that may appear after the run gave up looking for it. */
const maybeMade = (name: string) =>
  `image ${name} may have been made after all (its create's answer was lost or it was not listed in time); a re-run finds it by its marker and reuses or removes it`;

/**
 * Asks SCP to make the image and finds it by name and marker (SCP answers without its id), tracking it before
 * anything can abort. No caller signal: the create may apply even if aborted mid-flight, so it runs to its
 * answer and the image is tracked. Returns the image id and the create's task, when SCP answered.
 */
async function requestImage(
  scp: ScpClient,
  p: SourceImagePlan,
  created: CreatedResources,
  options: StepOptions,
): Promise<{ imageId: string; taskId: string | undefined }> {
  const description = sourceMarker(p.serverId);
  const request = { server_id: p.serverId, name: p.imageName, os_type: p.osType, azs: [p.azId], description };
  const findNew = async () =>
    (await scp.images.findByName(p.imageName)).find((image) => image.description === description);
  let ref: { taskId: string } | undefined;
  let found: Image | undefined;
  try {
    ref = await scp.images.createFromServer(request);
  } catch (error) {
    if (!isOutcomeUnknown(error)) {
      throw error;
    }
    // The answer was lost: a few looks tell whether the create applied; if it did not, the failure stands.
    found = await lookFor(findNew, options.pollIntervalMs);
    if (!found) {
      created.note(maybeMade(p.imageName));
      throw error;
    }
  }
  const { signal: _callerSignal, ...unabortable } = options;
  const listed = { resource: `image ${p.imageName}`, expected: "listed", describe: () => "not listed" };
  // Accepted, so it will be listed: waited for without the caller's signal, within the caller's bound.
  const image =
    found ??
    (await pollUntil(
      findNew,
      { ...listed, done: (img) => img !== undefined },
      { ...unabortable, maxWaitMs: Math.min(LISTED_WITHIN_MS, options.maxWaitMs ?? LISTED_WITHIN_MS) },
    ).catch((error: unknown) => {
      created.note(maybeMade(p.imageName));
      throw error;
    }));
  const imageId = (image as Image).id;
  created.add("image", imageId, (o) => deleteImage(scp, imageId, o));
  return { imageId, taskId: ref?.taskId };
}

/**
 * Removes this workflow's half-made images of the name, makes a new one from the VM (tracked at once) and waits
 * until it is active.
 * @internal
 */
export async function imageFromServer(
  scp: ScpClient,
  p: SourceImagePlan,
  stale: readonly Image[],
  created: CreatedResources,
  options: StepOptions,
): Promise<string> {
  const req = requestOptions(options);
  for (const image of stale) {
    await scp.images.delete(image.id, req);
  }
  const { imageId, taskId } = await requestImage(scp, p, created, options);
  options.signal?.throwIfAborted();
  if (taskId) {
    await scp.tasks.wait(taskId, waitOptions(options));
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
