import { ScpConflictError, ScpNotFoundError } from "../errors/api.js";
import { isOutcomeUnknown } from "../errors/call.js";
import type { ScpSessionLeftover, ScpSessionResourceKind } from "../errors/session.js";
import type { HotAddedDisk } from "../options.js";
import type { JournalItem } from "./session-journal.js";
import type { SessionParts } from "./session-types.js";
import { pollUntil, requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

/** One disk to hot-add for a session. @internal */
export interface AttachRequest {
  serverId: string;
  diskId: string;
  snapshotId?: string | undefined;
  application: "backup" | "restore";
}

const at = (parts: SessionParts) => new Date(parts.clock.now());

/** Runs a removal; a failure becomes a leftover naming why. @internal */
export async function tryRemove(
  kind: ScpSessionResourceKind,
  id: string,
  serverId: string,
  remove: () => Promise<void>,
): Promise<ScpSessionLeftover | undefined> {
  try {
    await remove();
    return undefined;
  } catch (error) {
    return { kind, id, serverId, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** True for an answer that says the thing is gone already (or going). */
function gone(error: unknown): boolean {
  return (
    error instanceof ScpNotFoundError ||
    (error instanceof ScpConflictError && /being released|being deleted/.test(error.serverMessage))
  );
}

/** Sends the hot-add; when its answer was lost, looks for the disk on the proxy before giving up. @internal */
export async function sendHotAdd(
  parts: SessionParts,
  request: AttachRequest,
  signal: AbortSignal,
): Promise<{ disk: HotAddedDisk; taskId: string | undefined }> {
  const { scp, proxy } = parts;
  const { serverId, diskId, snapshotId, application } = request;
  try {
    const ref = await scp.hotAdd.attach(
      proxy.id,
      [{ serverId, diskId, application, ...(snapshotId ? { snapshotId } : {}) }],
      { signal },
    );
    const disk = ref.disks[0];
    if (!disk) {
      throw new Error(`the hot-add of ${serverId}/${diskId} answered without a disk`);
    }
    return { disk, taskId: ref.taskId };
  } catch (error) {
    if (!isOutcomeUnknown(error)) {
      throw error;
    }
    const found = (await scp.hotAdd.attached(proxy.id, { signal })).find(
      (d) => d.serverId === serverId && d.diskId === diskId && (d.snapshotId ?? undefined) === snapshotId,
    );
    if (!found) {
      throw error;
    }
    return { disk: found, taskId: undefined };
  }
}

/** Removes a hot-added disk from the proxy and waits; already gone counts as removed. @internal */
export async function detachDisk(
  parts: SessionParts,
  proxyDiskId: string,
  item: JournalItem,
  options: StepOptions,
): Promise<void> {
  const { scp, proxy, journal, wait } = parts;
  try {
    const ref = await scp.hotAdd.detach(proxy.id, [proxyDiskId], requestOptions(options));
    await scp.tasks.wait(ref, { ...waitOptions(wait), ...waitOptions(options) });
  } catch (error) {
    if (!gone(error)) {
      throw error;
    }
  }
  await journal.drop(item);
}

/** Releases the backup resource and waits; gone already counts as released. @internal */
export async function removeResource(
  parts: SessionParts,
  resourceId: string,
  item: JournalItem,
  options: StepOptions,
): Promise<ScpSessionLeftover | undefined> {
  const { scp, journal } = parts;
  const left = await tryRemove("backup-resource", resourceId, item.serverId, async () => {
    try {
      const ref = await scp.backupResources.delete(resourceId, requestOptions(options));
      if (ref.taskId) {
        await scp.tasks.wait(ref.taskId, waitOptions(options));
      }
    } catch (error) {
      if (!gone(error)) {
        throw error;
      }
    }
    await journal.drop(item);
  });
  return left && { ...left, expiresAt: lockExpiry(item) };
}

/** When a journaled lock runs out on its own (its last request or renewal plus its lock time). @internal */
export function lockExpiry(item: JournalItem): string | undefined {
  return item.lockTimeMs === undefined ? undefined : new Date(Date.parse(item.at) + item.lockTimeMs).toISOString();
}

/** Deletes a snapshot and waits until it is gone (by its task, or by the list when SCP sent none). @internal */
export async function deleteSnapshot(
  parts: Pick<SessionParts, "scp" | "wait">,
  serverId: string,
  snapshotId: string,
  options: StepOptions,
): Promise<void> {
  const { scp } = parts;
  try {
    const ref = await scp.snapshots.delete(serverId, snapshotId, requestOptions(options));
    if (ref.taskId) {
      await scp.tasks.wait(ref.taskId, { ...waitOptions(parts.wait), ...waitOptions(options) });
      return;
    }
  } catch (error) {
    if (error instanceof ScpNotFoundError) {
      return;
    }
    throw error;
  }
  await pollUntil(
    () => scp.snapshots.list(serverId, requestOptions(options)),
    {
      done: (list) => !list.some((s) => s.id === snapshotId),
      resource: `snapshot ${snapshotId} of VM ${serverId}`,
      expected: "deleted",
      describe: () => "still listed",
    },
    { ...waitOptions(parts.wait), ...waitOptions(options) },
  );
}

/** Notes the time for the journal. @internal */
export function journalTime(parts: SessionParts): Date {
  return at(parts);
}
