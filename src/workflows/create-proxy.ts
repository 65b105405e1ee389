import { randomUUID } from "node:crypto";
import { isOutcomeUnknown } from "../errors/call.js";
import { ScpStateError } from "../errors/workflow.js";
import type { CreateServerRequest, Server } from "../types.js";
import { deleteServerAndWait } from "./delete-server.js";
import { findByName, ownedBy } from "./fleet-servers.js";
import { formatMarker } from "./marker.js";
import { type FleetContext, inLane, step } from "./provision-proxy.js";
import { lookFor, waitOptions } from "./step-helpers.js";

/** How often a create whose answer was lost is sent again (with the same idempotency token). */
const CREATE_ATTEMPTS = 3;

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

/** This fleet's VM of that name in the pool, if SCP lists one; no caller signal (see `lookFor`). */
async function findMine(ctx: FleetContext, azId: string, name: string): Promise<Server | undefined> {
  return (await findByName(ctx.scp, azId, name)).find(ownedBy(ctx.input.fleetId));
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
  const lookAround = () => lookFor(() => findMine(ctx, azId, name), ctx.options.pollIntervalMs);
  for (let attempt = 1; ; attempt++) {
    try {
      const ref = await ctx.scp.servers.create(request, { clientToken });
      const serverId = ref.serverIds[0] ?? (await lookAround())?.id;
      if (serverId) {
        return { serverId, taskId: ref.taskId };
      }
    } catch (error) {
      if (!isOutcomeUnknown(error)) {
        throw error;
      }
    }
    const found = await lookAround();
    if (found) {
      return { serverId: found.id };
    }
    if (attempt >= CREATE_ATTEMPTS) {
      const actual = `no answer after ${attempt} tries and not listed; a VM that shows up later carries the fleet marker, so a re-run adopts it and destroy finds it`;
      throw new ScpStateError({ resource: `proxy ${name}`, expected: "a created VM", actual });
    }
  }
}

/** Sends the create, tracking the VM for cleanup by its name until its id is known, then by its id. */
async function trackedCreate(ctx: FleetContext, azId: string, name: string) {
  const byName = `${name} (id not known)`;
  ctx.created.add("server", byName, async (o) => {
    const late = (await findByName(ctx.scp, azId, name, { signal: o.signal })).find(ownedBy(ctx.input.fleetId));
    if (late) {
      await deleteServerAndWait(ctx.scp, late.id, o);
    }
  });
  try {
    const sent = await sendCreate(ctx, azId, name);
    ctx.created.forget(byName);
    ctx.created.add("server", sent.serverId, (o) => deleteServerAndWait(ctx.scp, sent.serverId, o));
    return sent;
  } catch (error) {
    if (!isOutcomeUnknown(error) && !(error instanceof ScpStateError)) {
      ctx.created.forget(byName); // Refused outright: there is no VM to look for.
    }
    throw error;
  }
}

/**
 * Creates one proxy VM and waits for its creation task, in a lane of the pool. Right before, it looks the exact
 * name up: names are deterministic, so a VM of that name is this fleet's proxy from a run that raced this one
 * (adopted, not created again) or somebody else's (refused). A lost answer never yields a second VM (one
 * idempotency token, lookup by name and marker). Returns the VM id and whether this run created it.
 * @internal
 */
export function createProxy(
  ctx: FleetContext,
  azId: string,
  name: string,
): Promise<{ serverId: string; adopted: boolean }> {
  return step(ctx, { name, azId }, "create", () =>
    inLane(ctx, azId, "create", async () => {
      const namesakes = await findByName(ctx.scp, azId, name, { signal: ctx.signal });
      const mine = namesakes.find(ownedBy(ctx.input.fleetId));
      if (mine) {
        return { serverId: mine.id, adopted: true };
      }
      if (namesakes.length > 0) {
        const actual = `VM ${namesakes[0]?.id} without this fleet's marker has the name now; a re-run plans another slot`;
        throw new ScpStateError({ resource: `proxy ${name}`, expected: "a free name", actual });
      }
      const { serverId, taskId } = await trackedCreate(ctx, azId, name);
      ctx.signal.throwIfAborted();
      if (taskId) {
        await ctx.scp.tasks.wait(taskId, waitOptions(ctx.step));
      }
      return { serverId, adopted: false };
    }),
  );
}
