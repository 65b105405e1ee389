import { z } from "zod";
import type { ScpClient } from "../client.js";
import { parseInput, ScpIdSchema } from "../validate.js";
import { forEachLimit } from "./concurrency.js";
import { CreatedResources, inStep } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import { type BackupProxy, findBackupProxies } from "./find-backup-proxies.js";
import type { FleetProgress } from "./fleet-input.js";
import { FLEET_ID_PATTERN } from "./marker.js";
import { deleteServerAndWait, requestOptions, type StepOptions, StepOptionsSchema } from "./step-helpers.js";

/** Which fleet to destroy. */
export interface DestroyFleetInput {
  /** The fleet. */
  fleetId: string;
  /** Only these pools; all when omitted. */
  azIds?: readonly string[];
}

/** How to destroy. */
export interface DestroyFleetOptions extends StepOptions {
  /** List what would be removed; change nothing. @defaultValue false */
  dryRun?: boolean;
  /** Deletions (with their tasks) in flight per resource pool. @defaultValue 4 */
  concurrency?: number;
  /** Called when each deletion starts and ends. */
  onProgress?: (event: FleetProgress) => void;
}

/** What a destroy did. */
export interface DestroyFleetResult {
  /** The fleet's proxies that were (or, with `dryRun`, would be) deleted. */
  targets: BackupProxy[];
  /** Ids deleted. */
  removed: string[];
}

const DestroyInput = z.strictObject({
  fleetId: z.string().regex(FLEET_ID_PATTERN, "must be 1-24 lower-case letters, digits and dashes"),
  azIds: z.array(ScpIdSchema).min(1).optional(),
});

const DestroyOptions = StepOptionsSchema.extend({
  dryRun: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(32).optional(),
  onProgress: z.function().optional(),
});

/**
 * Deletes a fleet's proxies: only VMs that carry this fleet's ownership marker, whatever their names.
 * @throws {@link ScpWorkflowError} naming the VMs that remain when a deletion fails.
 */
export async function destroyBackupProxyFleet(
  scp: ScpClient,
  input: DestroyFleetInput,
  options: DestroyFleetOptions = {},
): Promise<DestroyFleetResult> {
  const { fleetId, azIds } = parseInput(DestroyInput, input, "destroyBackupProxyFleet input");
  parseInput(DestroyOptions, options, "destroyBackupProxyFleet options");
  const all = await findBackupProxies(scp, { fleetId }, requestOptions(options));
  const targets = all.filter((p) => !azIds || (p.azId !== undefined && azIds.includes(p.azId)));
  if (options.dryRun) {
    return { targets, removed: [] };
  }
  const removed: string[] = [];
  // Track every target: on failure the error then lists each as removed or remaining.
  const pending = new CreatedResources();
  for (const target of targets) {
    pending.add("server", target.serverId, async () => {});
  }
  try {
    await forEachLimit(
      targets,
      options.concurrency ?? WORKFLOW_DEFAULTS.concurrency,
      async (target) => {
        const event = { proxy: target.name, azId: target.azId ?? "", step: "delete" as const };
        options.onProgress?.({ ...event, phase: "start" });
        await inStep("delete", () => deleteServerAndWait(scp, target.serverId, options), target.name);
        pending.forget(target.serverId);
        removed.push(target.serverId);
        options.onProgress?.({ ...event, phase: "done" });
      },
      options.signal,
    );
  } catch (error) {
    throw await pending.fail("destroyBackupProxyFleet", error, { cleanup: false, between: "delete" });
  }
  return { targets, removed };
}
