import { randomUUID } from "node:crypto";
import type { ScpClient } from "../client.js";
import { ScpPreflightError } from "../errors/workflow.js";
import type { ServerConfig } from "../types.js";
import { parseClient, parseInput } from "../validate.js";
import { inStep, throwIfAbortedBeforeChanges } from "./created-resources.js";
import { WORKFLOW_DEFAULTS as D } from "./defaults.js";
import { BACKUP_SESSION_MIN_VERSION } from "./open-backup-session.js";
import { RestoreSession } from "./restore-session.js";
import { pickProxy, type SelectedBackupProxy } from "./select-backup-proxy.js";
import {
  type OpenRestoreSessionInput,
  RestoreInputSchema,
  type SessionOptions,
  SessionOptionsSchema,
} from "./session-input.js";
import { SYSTEM_CLOCK } from "./session-lock.js";
import { formatSessionMarker, sessionObjectName } from "./session-marker.js";
import { failOpen, openJournal } from "./session-open.js";
import { checkTarget, readTarget } from "./session-preflight.js";
import { marginOf, progress, type Step } from "./session-progress.js";
import { sessionParts } from "./session-read.js";
import type { SessionDiskInfo } from "./session-types.js";
import { requestOptions } from "./step-helpers.js";

const WORKFLOW = "openRestoreSession";
const MIB = 1024 * 1024;

/**
 * Opens a restore session, into an existing VM (powered off; refused in words otherwise) or into a new one made
 * from a backed-up `vmconf`: checks the target and the proxy before any change, creates the VM if asked (marked and
 * journaled), snapshots it for a differential restore, and locks it with a backup resource of type restore that the
 * session renews on its own. `attach` hot-adds the VM's real disks for the agent to write; an uncommitted session
 * deletes the VM it created when it closes.
 * @throws {@link ScpValidationError}, {@link ScpUnsupportedVersionError} or {@link ScpPreflightError} before any
 * change; {@link ScpWorkflowError} naming the step when a later one fails, after removing what it created.
 * @example
 * ```ts
 * await using restore = await openRestoreSession(scp, { serverId, sinceCheckpointId: backedUp.checkpointId });
 * for (const disk of restore.disks) {
 *   const device = await restore.attach(disk.id);
 *   for await (const area of restore.changedAreas(disk.id)) await agent.write(device.serial, area);
 * }
 * await restore.commit();
 * ```
 */
export async function openRestoreSession(
  scp: ScpClient,
  input: OpenRestoreSessionInput,
  options: SessionOptions = {},
): Promise<RestoreSession> {
  parseClient(scp, `${WORKFLOW} client`);
  const parsed = parseInput(RestoreInputSchema, input, `${WORKFLOW} input`) as OpenRestoreSessionInput;
  parseInput(SessionOptionsSchema, options, `${WORKFLOW} options`);
  const lockTimeMs = parsed.lockTimeMs ?? D.lockTimeMs;
  const marginMs = marginOf(WORKFLOW, lockTimeMs, options);
  const step = progress(options);
  const req = requestOptions(options);
  const { proxy, warnings, config } = await throwIfAbortedBeforeChanges(WORKFLOW, options.signal, async () => {
    await scp.system.requireVersion(BACKUP_SESSION_MIN_VERSION, "restore sessions (HotAdd)", req);
    return step("preflight", () => checkRestore(scp, parsed, req));
  });
  const id = randomUUID();
  const clock = options.clock ?? SYSTEM_CLOCK;
  const journal = await inStep("journal", () =>
    openJournal(scp, { kind: "restore", id, stateDir: options.stateDir, lockTimeMs, clock }),
  );
  const parts = sessionParts(
    scp,
    { id, kind: "restore", serverId: parsed.serverId ?? "", proxy, journal, clock },
    options,
  );
  const since = parsed.sinceCheckpointId;
  const session = new RestoreSession(parts, { proxy, since, powerOn: parsed.powerOn ?? D.powerOn });
  session.warnings.push(...warnings);
  session.disks = config ? disksOf(config) : [];
  try {
    await prepare(session, parsed, clock.now(), step);
    await step("lock", () => session.lock(lockTimeMs, marginMs));
  } catch (error) {
    throw await failOpen(WORKFLOW, error, () => session.releaseNow());
  }
  return session;
}

/** Checks the target (an existing VM) or the pool (a new one), and picks the proxy; all before any change. */
async function checkRestore(
  scp: ScpClient,
  input: OpenRestoreSessionInput,
  req: { signal?: AbortSignal },
): Promise<{ proxy: SelectedBackupProxy; warnings: string[]; config?: ServerConfig }> {
  const proxyId = input.proxyId;
  if (input.serverId === undefined) {
    const azId = input.newServer?.azId ?? "";
    const pool = (await scp.azs.list({ page_size: 100 }, req)).items.find((az) => az.id === azId);
    if (pool?.type !== "hci") {
      const detail = pool ? `it is a ${pool.type} pool` : "no such pool";
      throw new ScpPreflightError({
        workflow: WORKFLOW,
        checks: [{ name: `HCI resource pool ${azId}`, ok: false, detail }],
      });
    }
    return { proxy: await pickProxy(scp, { azId, vm: undefined, proxyId }, req), warnings: [] };
  }
  const target = await readTarget(scp, WORKFLOW, input.serverId, req);
  const warnings = checkTarget(WORKFLOW, target, {
    kind: "restore",
    sinceCheckpoint: input.sinceCheckpointId !== undefined,
  });
  const azId = target.server.az_id ?? "";
  return { proxy: await pickProxy(scp, { azId, vm: target.server, proxyId }, req), warnings, config: target.config };
}

function disksOf(config: ServerConfig): SessionDiskInfo[] {
  return (config.disks ?? []).flatMap((d) => (d.id && d.size_mb ? [{ id: d.id, sizeBytes: d.size_mb * MIB }] : []));
}

/** Creates the new VM when asked, reads the disks, and snapshots the VM for a differential restore. */
async function prepare(session: RestoreSession, input: OpenRestoreSessionInput, nowMs: number, step: Step) {
  const { scp } = session.internals;
  const marker = (serverId: string) =>
    formatSessionMarker({
      ...{ sessionId: session.id, kind: "restore", serverId, proxyId: session.proxy.serverId },
      createdAt: new Date(nowMs).toISOString(),
    });
  const newServer = input.newServer;
  if (newServer) {
    await step("create-vm", async () => {
      await session.createTarget(newServer, marker("new"));
      session.disks = disksOf(await scp.servers.get(session.serverId, { signal: session.signal }));
    });
  }
  if (input.sinceCheckpointId !== undefined) {
    const name = sessionObjectName("restore-base", session.id);
    await step("snapshot", () => session.takeBase(name, marker(session.serverId)));
  }
}
