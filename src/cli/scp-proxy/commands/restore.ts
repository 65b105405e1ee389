import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  type OpenRestoreSessionInput,
  openRestoreSession,
  type RestoreSession,
  type VmConfig,
  WORKFLOW_DEFAULTS,
} from "../../../index.js";
import { CliInputError } from "../exit-codes.js";
import { given, inCliTerms, wholeNumber } from "../flags.js";
import { runHeldSession, stepNotes } from "../held-session.js";
import type { Session } from "../session.js";
import { addHoldFlags, agentDirOf, type HeldFlags, SESSION_FIELDS } from "../session-flags.js";
import type { SessionKind } from "../session-kind.js";

interface RestoreFlags extends HeldFlags {
  since?: number;
  powerOn?: boolean;
  newVmFrom?: string;
  pool?: string;
  name?: string;
  datastore?: string;
}

/** Fields of the new VM, by their flags. */
const NEW_VM_FIELDS = {
  "newServer.azId": "--pool",
  "newServer.name": "--name",
  "newServer.datastoreId": "--datastore",
  "newServer.vmconf": "--new-vm-from",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A backed-up configuration: a vmconf file, or the JSON result of `backup session` (its `snapshot.vmconf`). */
async function readVmconf(path: string): Promise<VmConfig> {
  const refuse = (where: string, message: string) => new CliInputError([{ path: where, message }], path);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code ? refuse("(file)", `cannot read it (${code})`) : refuse("(syntax)", (error as Error).message);
  }
  const snapshot = isObject(doc) ? doc.snapshot : undefined;
  const vmconf = isObject(snapshot) ? snapshot.vmconf : isObject(doc) && isObject(doc.vmconf) ? doc.vmconf : doc;
  if (!isObject(vmconf)) {
    throw refuse("(root)", "must be a VM configuration (a vmconf object) or the JSON result of `backup session`");
  }
  return vmconf as VmConfig;
}

/** Checks which target was named, before anything connects. */
function target(vm: string | undefined, flags: RestoreFlags): void {
  const issues = [
    ...((vm === undefined) === (flags.newVmFrom === undefined)
      ? [{ path: "<vm>", message: "give the VM to restore into, or --new-vm-from <file> (not both)" }]
      : []),
    ...(flags.newVmFrom !== undefined && flags.pool === undefined
      ? [{ path: "--pool", message: "required with --new-vm-from: the resource pool of the new VM" }]
      : []),
    ...(flags.newVmFrom === undefined && (flags.pool ?? flags.name ?? flags.datastore) !== undefined
      ? [{ path: "--pool, --name, --datastore", message: "only with --new-vm-from" }]
      : []),
  ];
  if (issues.length > 0) {
    throw new CliInputError(issues);
  }
}

async function restoreInput(vm: string | undefined, flags: RestoreFlags): Promise<OpenRestoreSessionInput> {
  const common = given({
    proxyId: flags.proxy,
    sinceCheckpointId: flags.since,
    lockTimeMs: flags.lockTimeMs,
    powerOn: flags.powerOn,
  });
  if (vm !== undefined) {
    return { serverId: vm, ...common };
  }
  const vmconf = await readVmconf(flags.newVmFrom as string);
  const newServer = {
    vmconf,
    azId: flags.pool as string,
    ...given({ name: flags.name, datastoreId: flags.datastore }),
  };
  return { newServer, ...common };
}

/** A restore session as the held-session runner shows, commits and releases it. */
function restoreKind(session: RestoreSession, lockTimeMs: number, powerOn: boolean): SessionKind {
  const since = session.sinceCheckpointId;
  return {
    name: "restore",
    session,
    lockTimeMs,
    areas: since !== undefined,
    facts: () => ({ created: session.created, sinceCheckpointId: since ?? null, powerOn }),
    lines: () => [
      `  writes    ${since === undefined ? "every disk in full" : `only the areas changed since checkpoint ${since}`}`,
      ...(session.created ? ["  VM        made for this restore: deleted unless committed"] : []),
    ],
    question: "Has the agent written every disk? Commit the restore (keep the VM)?",
    commit: async () => ({ ...(await session.commit()) }),
    committedText: (c) => `VM ${c.serverId} is restored`,
    uncommittedText: session.created
      ? "the VM made for it is deleted"
      : "the VM is not powered on (what the agent wrote stays on its disks)",
    releasedText: (committed) =>
      committed && powerOn ? ", VM powered on" : !committed && session.created ? ", new VM deleted" : "",
  };
}

/** `restore session`: a restore into an existing VM (powered off) or a new one, held for the agent in a proxy. */
export function registerRestore(program: Command, session: Session): void {
  const restore = program.command("restore").description("hold restore sessions for the agent in a proxy");
  const command = restore
    .command("session")
    .description("open a restore session, attach the VM's disks to the proxy, and hold it for the agent")
    .argument("[vm]", "the VM to restore into (powered off)")
    .option(
      "--since <checkpointId>",
      "differential: list the areas changed since the restored backup's checkpoint",
      wholeNumber,
    )
    .option("--power-on", "power the VM on when the session closes committed")
    .option("--new-vm-from <file>", "restore into a new VM made from this vmconf (or a `backup session` JSON result)")
    .option("--pool <azId>", "the new VM's resource pool (with --new-vm-from)")
    .option("--name <name>", "the new VM's name (default: the backed-up name with -restored)")
    .option("--datastore <id>", "the new VM's datastore (default: the backed-up one)");
  addHoldFlags(command, "commit the restore when released: the agent has written every disk").action(
    async (vm: string | undefined, flags: RestoreFlags) => {
      target(vm, flags);
      const input = await restoreInput(vm, flags);
      const dir = await agentDirOf(flags);
      const scp = await session.client();
      const options = {
        signal: session.signal,
        onProgress: stepNotes(session),
        ...given({ stateDir: flags.stateDir, renewMarginMs: flags.renewMarginMs }),
      };
      const opened = await openRestoreSession(scp, input, options).catch((error: unknown) => {
        throw inCliTerms(error, { fields: { ...SESSION_FIELDS, ...NEW_VM_FIELDS } });
      });
      const lockTimeMs = flags.lockTimeMs ?? WORKFLOW_DEFAULTS.lockTimeMs;
      const kind = restoreKind(opened, lockTimeMs, flags.powerOn === true);
      await runHeldSession(session, kind, { ...flags, ...given({ changedAreas: dir }) });
    },
  );
}
