import type { ScpClient } from "../client.js";
import { ScpPreflightError } from "../errors/workflow.js";
import type { RequestOptions } from "../resources/request-options.js";
import { type BackupProxy, readHeldDisks } from "./find-backup-proxies.js";
import { requestOptions, type StepOptions, waitOptions } from "./step-helpers.js";

/**
 * Reads the disks the proxies about to be deleted hold (into their `heldDisks`) and refuses, before any change, to
 * delete one that holds another VM's disk (a backup or a restore in progress, or one a crash left) unless `force`.
 * @throws {@link ScpPreflightError} naming each such proxy and what it holds.
 * @internal
 */
export async function refuseHeldProxies(
  scp: ScpClient,
  workflow: string,
  doomed: readonly BackupProxy[],
  force: boolean,
  req: RequestOptions,
): Promise<void> {
  await readHeldDisks(scp, doomed, req);
  const holding = doomed.filter((p) => (p.heldDisks?.length ?? 0) > 0);
  if (holding.length === 0 || force) {
    return;
  }
  const checks = holding.map((p) => ({
    name: `proxy ${p.name} holds no other VM's disk`,
    ok: false,
    detail: `it holds ${(p.heldDisks ?? []).map((d) => `${d.diskId} of VM ${d.serverId} (${d.application ?? "?"})`).join(", ")}: a backup or restore may be running; wait for it, or pass force: true to remove the disks and delete the proxy`,
  }));
  throw new ScpPreflightError({ workflow, checks });
}

/** Removes every disk hot-added to a proxy (with `force`, before deleting it) and waits. @internal */
export async function releaseHeldDisks(scp: ScpClient, proxyId: string, options: StepOptions): Promise<void> {
  const held = await scp.hotAdd.attached(proxyId, requestOptions(options));
  if (held.length > 0) {
    const ref = await scp.hotAdd.detach(
      proxyId,
      held.map((d) => d.proxyDiskId),
      requestOptions(options),
    );
    await scp.tasks.wait(ref, waitOptions(options));
  }
}
