import { z } from "zod";
import type { ScpClient } from "../client.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { forEachLimit, PoolLanes } from "./concurrency.js";
import { CreatedResources, inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import { deleteServerAndWait } from "./delete-server.js";
import { type BackupProxy, fleetProxies } from "./find-backup-proxies.js";
import { refuseHeldProxies, releaseHeldDisks } from "./fleet-held.js";
import type { FleetProgress } from "./fleet-input.js";
import { readFleetServers } from "./fleet-servers.js";
import { FLEET_ID_PATTERN } from "./marker.js";
import { runSignal } from "./run-signal.js";
import { ServerWatch } from "./server-watch.js";
import { requestOptions, type StepOptions, StepOptionsSchema, waitOptions } from "./step-helpers.js";

/** Which fleet to destroy. */
export interface DestroyBackupProxyFleetInput {
  /** The fleet. */
  fleetId: string;
  /** Only these pools; all when omitted. */
  azIds?: readonly string[];
}

/** How to destroy. */
export interface DestroyBackupProxyFleetOptions extends StepOptions {
  /** List what would be removed; change nothing. @defaultValue false */
  dryRun?: boolean;
  /** Deletions (with their tasks) in flight per resource pool. @defaultValue 4 */
  concurrency?: number;
  /** Called when each deletion starts and ends. */
  onProgress?: (event: FleetProgress) => void;
  /** Delete proxies that hold other VMs' disks too, removing the disks first (a running backup then fails). @defaultValue false */
  force?: boolean;
}

/** What a destroy did. */
export interface DestroyBackupProxyFleetResult {
  /** The fleet's proxies that were (or, with `dryRun`, would be) deleted, with the disks each holds. */
  targets: BackupProxy[];
  /** Ids deleted. */
  removed: string[];
}

const WORKFLOW = "destroyBackupProxyFleet";

const DestroyInput = z.strictObject({
  fleetId: z.string().regex(FLEET_ID_PATTERN, "must be 1-24 lower-case letters, digits and dashes"),
  azIds: z.array(ScpIdSchema).min(1).optional(),
});

const DestroyOptions = StepOptionsSchema.extend({
  dryRun: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  onProgress: z.function().optional(),
  force: z.boolean().optional(),
});

/**
 * Deletes a fleet's proxies: only VMs that carry this fleet's ownership marker (found among the VMs named like
 * the fleet's proxies, so the cost follows the fleet, not the platform), a few per pool at a time. A proxy that
 * holds another VM's disk (a hot-added backup or restore disk) is not deleted unless `force`.
 * @throws {@link ScpPreflightError} before any change when a proxy holds disks and `force` is not set;
 * {@link ScpWorkflowError} naming the VMs that remain when a deletion fails or the run is aborted.
 */
export async function destroyBackupProxyFleet(
  scp: ScpClient,
  input: DestroyBackupProxyFleetInput,
  options: DestroyBackupProxyFleetOptions = {},
): Promise<DestroyBackupProxyFleetResult> {
  const { fleetId, azIds } = parseInput(DestroyInput, input, `${WORKFLOW} input`);
  parseInput(DestroyOptions, options, `${WORKFLOW} options`);
  const inScope = (p: BackupProxy) => !azIds || (p.azId !== undefined && azIds.includes(p.azId));
  const force = options.force ?? WORKFLOW_DEFAULTS.force;
  const targets = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, () =>
    inStep("read-fleet", async () => {
      const mine = fleetProxies(await readFleetServers(scp, fleetId, requestOptions(options)), fleetId).filter(inScope);
      // A dry run shows what each proxy holds; a real run refuses to take disks away from running backups.
      await refuseHeldProxies(scp, WORKFLOW, mine, force || options.dryRun === true, requestOptions(options));
      return mine;
    }),
  );
  if (options.dryRun) {
    return { targets, removed: [] };
  }
  const removed: string[] = [];
  // Track every target: on failure the error then lists each as removed or remaining.
  const pending = new CreatedResources();
  for (const target of targets) {
    pending.add("server", target.serverId, async () => {});
  }
  const lanes = new PoolLanes(options.concurrency ?? WORKFLOW_DEFAULTS.concurrency);
  const watch = new ServerWatch(scp);
  const signal = runSignal(options.signal);
  const step = waitOptions(signal ? { ...options, signal } : options);
  try {
    await forEachLimit(
      targets,
      targets.length,
      async (target) => {
        const event = { proxy: target.name, azId: target.azId ?? "", step: "delete" as const };
        options.onProgress?.({ ...event, phase: "start" });
        const remove = async () => {
          await (target.heldDisks?.length ? releaseHeldDisks(scp, target.serverId, step) : undefined);
          await deleteServerAndWait(scp, target.serverId, step, watch);
        };
        await inStep("delete", () => lanes.run(target.azId ?? "", 0, remove, signal), target.name);
        pending.forget(target.serverId);
        removed.push(target.serverId);
        options.onProgress?.({ ...event, phase: "done" });
      },
      signal,
    );
  } catch (error) {
    throw await pending.fail(WORKFLOW, error, { cleanup: false, between: "delete" });
  }
  return { targets, removed };
}
