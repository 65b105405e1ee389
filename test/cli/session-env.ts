// Shared by the session CLI tests: a held `backup session` or `restore session` spawned as the built CLI, the agent's
// files it writes, and what the simulator holds for sessions.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { expect, vi } from "vitest";
import type { ScpSimulatorBackupLab } from "../../src/simulator/index.js";
import { type CliSimulator, SCP_PROXY, type Spawned, start } from "./cli-env.js";

/** One disk in a held session's session.json. */
export interface DiskView {
  diskId: string;
  sizeBytes: number;
  proxyId: string;
  proxyDiskId: string;
  serial: string;
  changedAreas?: { file: string; count: number; bytes: number };
}

/** A held session's session.json: what the agent reads. */
export interface AgentView {
  kind: "backup" | "restore";
  sessionId: string;
  serverId: string;
  resourceId: string;
  proxy: { serverId: string; name: string };
  snapshot?: { id: string; checkpointId: number };
  disks: DiskView[];
}

/** A session the CLI holds: the process, its agent directory and what it wrote there. */
export interface Held {
  run: Spawned;
  dir: string;
  view: AgentView;
}

/** The CLI's environment with the sessions' journals in the simulator's temporary directory, not the user's cache. */
export const sessionEnv = (sim: CliSimulator) => ({ ...sim.env, SCP_SDK_STATE_DIR: join(sim.dir, "state") });

/** The backup lab of a CLI simulator. */
export const labOf = (sim: CliSimulator) => sim.server.lab as ScpSimulatorBackupLab;

/** A new empty directory under the simulator's temporary one. */
export const freshDir = (sim: CliSimulator, prefix: string) => mkdtemp(join(sim.dir, prefix));

/**
 * Starts `scp-proxy --json <args> --changed-areas <dir>` and waits until the session is held (its session.json is
 * written last); fails at once, with its stderr, if the run ends first.
 */
export async function holdSession(sim: CliSimulator, args: readonly string[]): Promise<Held> {
  const dir = await freshDir(sim, "agent-");
  const argv = [SCP_PROXY, "--json", ...sim.flags, ...args, "--changed-areas", dir];
  const run = start(process.execPath, argv, sessionEnv(sim));
  const file = join(dir, "session.json");
  const ended = run.ended.then((ran) => {
    throw new Error(`the run ended (${ran.code}) before holding: ${ran.stderr}`);
  });
  const written = vi.waitFor(() => expect(existsSync(file)).toBe(true), { timeout: 60_000, interval: 100 });
  // Whichever loses the race settles later, unobserved.
  ended.catch(() => undefined);
  written.catch(() => undefined);
  await Promise.race([written, ended]);
  return { run, dir, view: JSON.parse(readFileSync(file, "utf8")) as AgentView };
}

/** The changed areas the CLI wrote for a disk. */
export function areasOf(disk: DiskView): { offset: number; length: number }[] {
  const text = readFileSync(disk.changedAreas?.file ?? "", "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { offset: number; length: number });
}

/** Waits until the proxy's guest sees the hot-added device (it may show a moment after its task). */
export async function deviceShows(sim: CliSimulator, disk: DiskView): Promise<void> {
  await vi.waitFor(() => expect(sim.server.guest.devices(disk.proxyId).map((d) => d.serial)).toContain(disk.serial), {
    timeout: 10_000,
    interval: 20,
  });
}

/** What the simulator holds for sessions on a VM: hot-added disks anywhere, its locks and its snapshots. */
export function heldOn(sim: CliSimulator, serverId: string) {
  const state = sim.server.state();
  return {
    hotAdded: Object.values(state.hotAddedDisks)
      .flat()
      .filter((d) => d.source_server_id === serverId).length,
    locks: state.backupResources.filter((r) => r.server_id === serverId).length,
    snapshots: state.snapshots.filter((s) => s.server_id === serverId && !s.deleting).length,
  };
}

/** Nothing held for sessions on a VM. */
export const NOTHING = { hotAdded: 0, locks: 0, snapshots: 0 };
