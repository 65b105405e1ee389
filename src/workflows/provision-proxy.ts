import type { ScpClient } from "../client.js";
import { ScpStateError, type ScpWorkflowStep } from "../errors/workflow.js";
import type { Server } from "../types.js";
import type { PoolLanes } from "./concurrency.js";
import { type CreatedResources, inStep } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import type {
  DeployBackupProxyFleetInput,
  DeployBackupProxyFleetOptions,
  FleetStep,
  ProxySize,
} from "./fleet-input.js";
import { BACKUP_PROXY_OS_NAME, formatMarker, parseMarker, scriptDigest } from "./marker.js";
import { vmtoolsVerdict } from "./proxy-steps.js";
import { describeProblem, hasProblem, proxyProblems } from "./readiness.js";
import type { ServerWatch } from "./server-watch.js";
import { requestOptions, runTask, type StepOptions, waitOptions } from "./step-helpers.js";

/** Everything a fleet run's proxy steps share. @internal */
export interface FleetContext {
  scp: ScpClient;
  input: DeployBackupProxyFleetInput;
  size: ProxySize;
  options: DeployBackupProxyFleetOptions;
  /** The caller's signal and the run's halt together. */
  signal: AbortSignal;
  /** Waits and polling, with the run's signal. */
  step: StepOptions;
  created: CreatedResources;
  /** Aborted on the run's first failure, to stop work still running elsewhere. */
  halt: AbortController;
  /** Bounds the changes in flight per pool. */
  lanes: PoolLanes;
  /** Shares VM state reads among every proxy waiting. */
  watch: ServerWatch;
  /** The step most recently started, for a failure noticed between steps. */
  lastStep: ScpWorkflowStep;
  /** Proxies found right before their create (a concurrent run of the fleet made them first). */
  adopted: string[];
}

/** A proxy further along its chain gets a free lane first, so it finishes and frees the pool sooner. */
const PRIORITY: Readonly<Record<"create" | "mark" | "power-on" | "init" | "delete", number>> = {
  create: 1,
  mark: 2,
  "power-on": 3,
  init: 4,
  delete: 5,
};

/** Runs one proxy step as a named workflow step, reporting its start and end. @internal */
export async function step<T>(
  ctx: FleetContext,
  proxy: { name: string; azId: string },
  name: FleetStep,
  work: () => Promise<T>,
): Promise<T> {
  ctx.lastStep = name;
  const event = { proxy: proxy.name, azId: proxy.azId, step: name };
  const result = await inStep(
    name,
    () => {
      ctx.signal.throwIfAborted(); // No step starts once the run is aborted, even one that would not wait.
      ctx.options.onProgress?.({ ...event, phase: "start" });
      return work();
    },
    proxy.name,
  );
  ctx.options.onProgress?.({ ...event, phase: "done" });
  return result;
}

/** Runs a change (and its task) in one of the pool's lanes. @internal */
export function inLane<T>(ctx: FleetContext, azId: string, kind: keyof typeof PRIORITY, work: () => Promise<T>) {
  return ctx.lanes.run(azId, PRIORITY[kind], work, ctx.signal);
}

/** The VM once its creation is done (an interrupted run may have left it half-created). */
function created(ctx: FleetContext, serverId: string, name: string): Promise<Server> {
  return ctx.watch.until(
    serverId,
    (s) =>
      s === undefined
        ? { fail: new ScpStateError({ resource: `proxy ${name}`, expected: "to exist", actual: "not listed" }) }
        : s.status === "creating"
          ? undefined
          : { done: s },
    { resource: `proxy ${name}`, expected: "created" },
    ctx.step,
  );
}

/** Edits the VM and waits for the edit; after a lost answer, `applied` says whether to send it again. */
function edit(ctx: FleetContext, serverId: string, patch: { os_name?: string; description?: string }) {
  const req = requestOptions(ctx.step);
  const applied = async () => {
    const config = await ctx.scp.servers.get(serverId, req);
    return Object.entries(patch).every(([key, value]) => config[key as keyof typeof config] === value);
  };
  return runTask(ctx.scp, () => ctx.scp.servers.update(serverId, patch, req), applied, ctx.step);
}

/** Runs the init script in the guest and records its digest in the marker, each in a lane. */
async function runInit(ctx: FleetContext, azId: string, state: Server, name: string): Promise<void> {
  const script = ctx.input.initScript as string;
  const marker = parseMarker(state.description);
  if (!marker || !state.vm_id) {
    throw new ScpStateError({ resource: `proxy ${name}`, expected: "a marker and a vm_id", actual: "none listed" });
  }
  const vmId = state.vm_id;
  await inLane(ctx, azId, "init", async () => {
    const ref = await ctx.scp.guest.run({ azId, vmIds: [vmId], command: script }, requestOptions(ctx.step));
    await ctx.scp.tasks.wait(ref, waitOptions(ctx.step));
  });
  const description = formatMarker({ ...marker, initDigest: scriptDigest(script) });
  await inLane(ctx, azId, "init", () => edit(ctx, state.id, { description }));
}

/**
 * Brings one proxy to the wanted state, doing only what its readiness check says is missing: marked as Backup
 * Proxy, powered on, vmtools up, init script run (and recorded in the marker), then read back and confirmed.
 * Changes hold a lane of the pool; waiting for creation, boot and vmtools holds none.
 * @internal
 */
export async function convergeProxy(ctx: FleetContext, azId: string, serverId: string, name: string): Promise<void> {
  const { scp } = ctx;
  const proxy = { name, azId };
  const req = requestOptions(ctx.step);
  let state = await created(ctx, serverId, name);
  // The latest read taken after every change so far; a change makes it stale.
  let fresh: Server | undefined = state;
  const problems = proxyProblems(state, { initScript: ctx.input.initScript });
  if (hasProblem(problems, "not-marked")) {
    fresh = undefined;
    await step(ctx, proxy, "mark", () =>
      inLane(ctx, azId, "mark", () => edit(ctx, serverId, { os_name: BACKUP_PROXY_OS_NAME })),
    );
  }
  const started = hasProblem(problems, "powered-off");
  if (started) {
    fresh = undefined;
    const isOn = async () => (await scp.servers.find(serverId, req))?.power_state === "on";
    await step(ctx, proxy, "power-on", () =>
      inLane(ctx, azId, "power-on", () => runTask(scp, () => scp.servers.start(serverId, req), isOn, ctx.step)),
    );
  }
  if (started || hasProblem(problems, "vmtools")) {
    state = await step(ctx, proxy, "vmtools", () => vmtoolsUp(ctx, serverId, name, !started));
    fresh = state;
  }
  if (hasProblem(problems, "init-pending")) {
    fresh = undefined;
    await step(ctx, proxy, "init", () => runInit(ctx, azId, state, name));
  }
  await step(ctx, proxy, "verify", () => verifyProxy(ctx, serverId, name, fresh));
}

/** Waits for vmtools, sharing reads; a VM just started is not read at once (its vmtools cannot be up yet). */
function vmtoolsUp(ctx: FleetContext, serverId: string, name: string, readAtOnce: boolean): Promise<Server> {
  const maxWaitMs = ctx.options.vmtoolsMaxWaitMs ?? WORKFLOW_DEFAULTS.vmtoolsMaxWaitMs;
  const expectation = { resource: `proxy ${name}`, expected: "running with vmtools installed" };
  return ctx.watch.until(serverId, vmtoolsVerdict, expectation, { ...ctx.step, maxWaitMs }, readAtOnce);
}

/** Checks the proxy is ready, on the latest read when nothing changed since (else on a new one). */
async function verifyProxy(ctx: FleetContext, serverId: string, name: string, fresh: Server | undefined) {
  const listed = fresh ?? (await ctx.watch.read(serverId, ctx.step));
  const wants = { fleetId: ctx.input.fleetId, initScript: ctx.input.initScript };
  const problems = listed ? proxyProblems(listed, wants) : [];
  if (!listed || problems.length > 0) {
    throw new ScpStateError({
      resource: `proxy ${name}`,
      expected: "a ready backup proxy",
      actual: listed ? problems.map(describeProblem).join(", ") : "not listed",
    });
  }
}
