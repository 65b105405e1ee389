import type { ScpClient } from "../client.js";
import { ScpNotFoundError } from "../errors/api.js";
import { applyOnce, requestOptions } from "./step-helpers.js";

/**
 * Deletes an image a run made. A delete whose answer was lost, or that a retry finds already done (404), counts as
 * done once the image is no longer listed: the run then reports it removed, not remaining.
 * @internal
 */
export async function deleteImage(scp: ScpClient, imageId: string, options: { signal?: AbortSignal }): Promise<void> {
  const req = requestOptions(options);
  const gone = async () => (await scp.images.find(imageId, req)) === undefined;
  try {
    await applyOnce(() => scp.images.delete(imageId, req), gone);
  } catch (error) {
    if (error instanceof ScpNotFoundError || (await gone().catch(() => false))) {
      return;
    }
    throw error;
  }
}
