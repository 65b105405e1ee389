import type { ScpClient } from "../client.js";
import type { RequestOptions } from "../resources/request-options.js";
import { parseClient, parseInput } from "../validate.js";
import { PoolLanes } from "./concurrency.js";
import { CreatedResources, cleanupBudget, inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { type BackupProxy, fleetProxies } from "./find-backup-proxies.js";
import { executePlan } from "./fleet-execute.js";
import { refuseHeldProxies } from "./fleet-held.js";
import {
  type DeployBackupProxyFleetInput,
  type DeployBackupProxyFleetOptions,
  DeployFleetInputSchema,
  DeployFleetOptionsSchema,
  type ProxySize,
  proxySize,
} from "./fleet-input.js";
import { type FleetPlan, planFleet } from "./fleet-plan.js";
import { fleetPreflight } from "./fleet-preflight.js";
import { readFleetServers } from "./fleet-servers.js";
import type { FleetContext } from "./provision-proxy.js";
import { runSignal } from "./run-signal.js";
import { ServerWatch } from "./server-watch.js";
import { requestOptions, waitOptions } from "./step-helpers.js";

/** What a fleet deployment did. */
export interface DeployBackupProxyFleetResult {
  /** The plan it followed (with `dryRun`, the plan it would follow). */
  plan: FleetPlan;
  /** The fleet's proxies afterwards, with readiness. */
  proxies: BackupProxy[];
  /** Ids of VMs this run created. */
  created: string[];
  /** Ids of existing proxies kept (and repaired where needed), and of any a concurrent run created first. */
  adopted: string[];
  /** Ids of VMs this run deleted (replaced or pruned). */
  removed: string[];
}

const WORKFLOW = "deployBackupProxyFleet";

/**
 * Makes a backup-proxy fleet match the input, declaratively: per pool it keeps, repairs, creates, replaces
 * (rolling, when the image changed) and, with `prune`, removes this fleet's proxies. Safe to re-run: every VM it
 * creates carries an ownership marker and a deterministic name, a create never runs for a name that exists, and
 * nothing without the marker is ever changed. It reads only VMs named like the fleet's proxies, so its cost
 * follows the fleet, not the platform. `concurrency` bounds the changes in flight per pool; waits are shared.
 * @throws {@link ScpValidationError} for bad input and {@link ScpUnsupportedVersionError} / {@link ScpPreflightError}
 * when the platform is not ready, all before any change; {@link ScpWorkflowError} when a step fails or the run is
 * aborted (at any point), after removing what the run created within `cleanupMaxWaitMs` (unless `cleanupOnError`
 * is false), listing what remains.
 * @example
 * ```ts
 * const { plan, proxies } = await deployBackupProxyFleet(scp, {
 *   fleetId: "veeam", imageId, pools: [{ azId: poolA, count: 2, networks }], initScript: "systemctl start agent",
 * }, { onProgress: (e) => console.log(e.proxy, e.step, e.phase) });
 * ```
 */
export async function deployBackupProxyFleet(
  scp: ScpClient,
  input: DeployBackupProxyFleetInput,
  options: DeployBackupProxyFleetOptions = {},
): Promise<DeployBackupProxyFleetResult> {
  parseClient(scp, `${WORKFLOW} client`);
  const parsed = parseInput(DeployFleetInputSchema, input, `${WORKFLOW} input`) as DeployBackupProxyFleetInput;
  parseInput(DeployFleetOptionsSchema, options, `${WORKFLOW} options`);
  const { plan, proxies, size } = await planRun(scp, parsed, options);
  const adopted = plan.pools.flatMap((p) => p.keep.map((k) => k.serverId));
  if (options.dryRun || plan.unchanged) {
    return { plan, proxies, created: [], adopted, removed: [] };
  }
  await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, () =>
    inStep("preflight", () =>
      refuseHeldProxies(scp, WORKFLOW, doomed(plan, proxies), options.force ?? D.force, requestOptions(options)),
    ),
  );
  const ctx = newContext(scp, parsed, size, options);
  const removed: string[] = [];
  try {
    await executePlan(ctx, plan, removed);
  } catch (error) {
    const cleanup = (options.cleanupOnError ?? D.cleanupOnError) && cleanupBudget(options);
    throw await ctx.created.fail(WORKFLOW, error, { cleanup, between: ctx.lastStep });
  }
  // The work is done: an abort arriving now is too late to change anything, so the final read ignores it.
  const after = fleetProxies(await readFleetServers(scp, parsed.fleetId, {}), parsed.fleetId);
  return { plan, proxies: after, created: ctx.created.ids("server"), adopted: [...adopted, ...ctx.adopted], removed };
}

/** The proxies the plan deletes: replaced, retired and (with prune) surplus ones. */
function doomed(plan: FleetPlan, proxies: readonly BackupProxy[]): BackupProxy[] {
  const ids = new Set(
    plan.pools.flatMap((p) => [
      ...p.replace.map((r) => r.existing.serverId),
      ...p.retire.map((r) => r.serverId),
      ...(plan.prune ? p.surplus.map((r) => r.serverId) : []),
    ]),
  );
  return proxies.filter((p) => ids.has(p.serverId));
}

/** Preflight, one consistent read of the fleet's VMs, and the plan; an abort here is a workflow error too. */
async function planRun(scp: ScpClient, input: DeployBackupProxyFleetInput, options: DeployBackupProxyFleetOptions) {
  const req: RequestOptions = requestOptions(options);
  return throwIfAbortedBeforeChanges(WORKFLOW, options.signal, async () => {
    const { image, warnings } = await inStep("preflight", () => fleetPreflight(scp, input, req));
    const servers = await inStep("read-fleet", () => readFleetServers(scp, input.fleetId, req));
    const size: ProxySize = proxySize(input.vm, image.disks?.[0]?.size_mb);
    const plan = planFleet(input, servers, {
      prune: options.prune ?? D.prune,
      maxUnavailable: options.maxUnavailable ?? D.maxUnavailable,
      size,
    });
    plan.warnings.push(...warnings);
    return { plan, proxies: fleetProxies(servers, input.fleetId), size };
  });
}

function newContext(
  scp: ScpClient,
  input: DeployBackupProxyFleetInput,
  size: ProxySize,
  options: DeployBackupProxyFleetOptions,
): FleetContext {
  // The first failure anywhere halts the rest of the run, so no pool keeps changing after it.
  const halt = new AbortController();
  const signal = runSignal(options.signal, halt.signal) as AbortSignal;
  const lanes = new PoolLanes(options.concurrency ?? D.concurrency);
  const step = { ...waitOptions(options), signal };
  const watch = new ServerWatch(scp);
  return {
    scp,
    input,
    size,
    options,
    signal,
    step,
    created: new CreatedResources(),
    halt,
    lanes,
    watch,
    adopted: [],
    lastStep: "create",
  };
}
