import { randomUUID } from "node:crypto";
import type { ScpClient } from "../client.js";
import { isOutcomeUnknown, ScpStateError } from "../errors.js";
import type { CreateServerRequest, Server } from "../types.js";
import { type CreatedResources, inStep } from "./created-resources.js";
import { WORKFLOW_DEFAULTS } from "./defaults.js";
import type { DeployFleetInput, DeployFleetOptions, FleetStep, proxySize } from "./fleet-input.js";
import { formatMarker, parseMarker, scriptDigest } from "./marker.js";
import { markAsBackupProxyUnchecked, runGuestScript, waitForVmtools } from "./proxy-steps.js";
import { describeProblem, proxyProblems } from "./readiness.js";
import { applyOnce, deleteServerAndWait, lookFor, pollUntil, requestOptions, waitOptions } from "./step-helpers.js";

/** Everything a fleet run's proxy steps share. @internal */
export interface FleetContext {
  scp: ScpClient;
  input: DeployFleetInput;
  size: ReturnType<typeof proxySize>;
  options: DeployFleetOptions;
  created: CreatedResources;
  /** Aborted on the run's first failure, to stop work still running elsewhere. */
  halt: AbortController;
}

/** Runs one proxy step as a named workflow step, reporting its start and end. @internal */
export async function step<T>(
  ctx: FleetContext,
  proxy: { name: string; azId: string },
  name: FleetStep,
  work: () => Promise<T>,
): Promise<T> {
  ctx.options.onProgress?.({ proxy: proxy.name, azId: proxy.azId, step: name, phase: "start" });
  const result = await inStep(name, work, proxy.name);
  ctx.options.onProgress?.({ proxy: proxy.name, azId: proxy.azId, step: name, phase: "done" });
  return result;
}

/** Finds this fleet's VM of that name in the pool, if SCP has one (after a lost create answer, say). */
async function findMine(
  ctx: FleetContext,
  azId: string,
  name: string,
  signal?: AbortSignal,
): Promise<Server | undefined> {
  for await (const server of ctx.scp.servers.listAll({ az_id: azId, query_name: name }, signal ? { signal } : {})) {
    if (server.name === name && parseMarker(server.description)?.fleetId === ctx.input.fleetId) {
      return server;
    }
  }
  return undefined;
}

function createRequest(ctx: FleetContext, azId: string, name: string): CreateServerRequest {
  const pool = ctx.input.pools.find((p) => p.azId === azId);
  const marker = formatMarker({
    fleetId: ctx.input.fleetId,
    imageId: ctx.input.imageId,
    createdAt: new Date().toISOString(),
    initDigest: undefined,
  });
  return {
    az_id: azId,
    image_id: ctx.input.imageId,
    name,
    // The ownership marker is there from the create request on, so no crash can orphan the VM.
    description: marker,
    cores: ctx.size.cores,
    sockets: ctx.size.sockets,
    memory_mb: ctx.size.memoryMb,
    disks: [{ id: "ide0", type: "derive_disk", size_mb: ctx.size.diskSizeMb }],
    networks: [...(pool?.networks ?? [])],
    power_on: 0,
    ...(pool?.storageTagId ? { storage_tag_id: pool.storageTagId } : {}),
  };
}

/** How often a create whose answer was lost is sent again (with the same idempotency token). */
const CREATE_ATTEMPTS = 3;

/** Looks a few times for this fleet's VM of that name, without the caller's signal (see `lookFor`). */
function lookAround(ctx: FleetContext, azId: string, name: string): Promise<Server | undefined> {
  return lookFor(() => findMine(ctx, azId, name), ctx.options.pollIntervalMs);
}

/**
 * Sends the create request until SCP answers, reusing one `X-Client-Token` so SCP refuses a repeat of a create
 * that applied; after a lost answer it looks the VM up by name and marker before sending again. No caller signal:
 * an abort must not cut a create that may already be applied (it is honoured once the VM is tracked).
 */
async function sendCreate(
  ctx: FleetContext,
  azId: string,
  name: string,
): Promise<{ serverId: string; taskId?: string }> {
  const request = createRequest(ctx, azId, name);
  const clientToken = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      const ref = await ctx.scp.servers.create(request, { clientToken });
      const serverId = ref.serverIds[0] ?? (await lookAround(ctx, azId, name))?.id;
      if (serverId) {
        return { serverId, taskId: ref.taskId };
      }
    } catch (error) {
      if (!isOutcomeUnknown(error)) {
        throw error;
      }
    }
    const found = await lookAround(ctx, azId, name);
    if (found) {
      return { serverId: found.id };
    }
    if (attempt >= CREATE_ATTEMPTS) {
      const actual = `no answer after ${attempt} tries and not listed; a VM that shows up later carries the fleet marker, so a re-run adopts it and destroy finds it`;
      throw new ScpStateError({ resource: `proxy ${name}`, expected: "a created VM", actual });
    }
  }
}

/**
 * Creates one proxy VM and waits until it exists; a lost answer never yields a second VM (one idempotency token,
 * lookup by name and marker). The VM is tracked for cleanup as soon as its id is known; until then, by its name.
 * @internal
 */
export async function createProxy(ctx: FleetContext, azId: string, name: string): Promise<string> {
  return step(ctx, { name, azId }, "create", async () => {
    const { scp, options } = ctx;
    const byName = `${name} (id not known)`;
    ctx.created.add("server", byName, async () => {
      const late = await findMine(ctx, azId, name);
      if (late) {
        await deleteServerAndWait(scp, late.id, {});
      }
    });
    let sent: { serverId: string; taskId?: string };
    try {
      sent = await sendCreate(ctx, azId, name);
    } catch (error) {
      if (!isOutcomeUnknown(error) && !(error instanceof ScpStateError)) {
        ctx.created.forget(byName); // Refused outright: there is no VM to look for.
      }
      throw error;
    }
    const { serverId, taskId } = sent;
    ctx.created.forget(byName);
    ctx.created.add("server", serverId, () => deleteServerAndWait(scp, serverId, {}));
    options.signal?.throwIfAborted();
    if (taskId) {
      await scp.tasks.wait(taskId, waitOptions(options));
    } else {
      const done = (s: Server | undefined) => s !== undefined && s.status !== "creating";
      await pollUntil(
        () => findMine(ctx, azId, name, options.signal),
        { done, resource: `proxy ${name}`, expected: "created", describe: (s) => s?.status ?? "not listed" },
        options,
      );
    }
    return serverId;
  });
}

/**
 * Brings one proxy to the wanted state, skipping what is done: marked as Backup Proxy, powered on, vmtools
 * installed, init script run (and recorded in the marker), then read back and confirmed.
 * @internal
 */
export async function convergeProxy(ctx: FleetContext, azId: string, serverId: string, name: string): Promise<void> {
  const { scp, options } = ctx;
  const proxy = { name, azId };
  const req = requestOptions(options);
  // A proxy an interrupted run left half-created can be edited only once its creation is done.
  const settled = (s: Server | undefined) => s === undefined || s.status !== "creating";
  await pollUntil(
    () => scp.servers.find(serverId, req),
    { done: settled, resource: `proxy ${name}`, expected: "created", describe: (s) => s?.status ?? "gone" },
    options,
  );
  await step(ctx, proxy, "mark", () => markAsBackupProxyUnchecked(scp, serverId, options));
  await step(ctx, proxy, "power-on", async () => {
    const isOn = async () => (await scp.servers.find(serverId, req))?.power_state === "on";
    if (!(await isOn())) {
      const ref = await applyOnce(() => scp.servers.start(serverId, req), isOn);
      if (ref) {
        await scp.tasks.wait(ref, waitOptions(options));
      }
    }
  });
  await step(ctx, proxy, "vmtools", () =>
    waitForVmtools(scp, serverId, {
      ...waitOptions(options),
      maxWaitMs: options.vmtoolsMaxWaitMs ?? WORKFLOW_DEFAULTS.vmtoolsMaxWaitMs,
    }),
  );
  const script = ctx.input.initScript;
  const config = await scp.servers.get(serverId, req);
  const marker = parseMarker(config.description);
  if (script !== undefined && marker && marker.initDigest !== scriptDigest(script)) {
    await step(ctx, proxy, "init", async () => {
      await runGuestScript(scp, serverId, script, options);
      const description = formatMarker({ ...marker, initDigest: scriptDigest(script) });
      const recorded = async () => (await scp.servers.get(serverId, req)).description === description;
      const ref = await applyOnce(() => scp.servers.update(serverId, { description }, req), recorded);
      if (ref) {
        await scp.tasks.wait(ref, waitOptions(options));
      }
    });
  }
  await step(ctx, proxy, "verify", () => verifyProxy(ctx, serverId, name));
}

async function verifyProxy(ctx: FleetContext, serverId: string, name: string): Promise<void> {
  const listed = await ctx.scp.servers.find(serverId, requestOptions(ctx.options));
  const problems = listed ? proxyProblems(listed, { fleetId: ctx.input.fleetId }) : [];
  if (!listed || problems.length > 0) {
    throw new ScpStateError({
      resource: `proxy ${name}`,
      expected: "a ready backup proxy",
      actual: listed ? problems.map(describeProblem).join(", ") : "not listed",
    });
  }
}
