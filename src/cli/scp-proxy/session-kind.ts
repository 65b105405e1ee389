import type { AttachedDisk, BackupSession, RestoreSession } from "../../index.js";
import type { AreasFile } from "./agent-files.js";
import type { Paint } from "./output.js";

/** A backup or restore session, held for the agent in the proxy's guest. */
export type HeldSession = BackupSession | RestoreSession;

/** What differs between a backup and a restore held for the agent. */
export interface SessionKind {
  readonly name: "backup" | "restore";
  readonly session: HeldSession;
  readonly lockTimeMs: number;
  /** Whether the agent gets changed areas: always for a backup, for a differential restore only. */
  readonly areas: boolean;
  /** The kind's facts in the agent's view (snapshot and checkpoints, or the VM restored into). */
  facts(): Record<string, unknown>;
  /** The kind's lines for people, under the session's head line. */
  lines(paint: Paint): string[];
  /** The question asked on a terminal before committing. */
  readonly question: string;
  /** Commits the session; the value is printed. */
  commit(): Promise<Record<string, unknown>>;
  /** A commit in words. */
  committedText(commit: Record<string, unknown>): string;
  /** What not committing means. */
  readonly uncommittedText: string;
  /** What the kind's own release steps did (after "disks detached, lock released"). */
  releasedText(committed: boolean): string;
}

/** One attached disk as the agent needs it. */
export interface DiskView {
  diskId: string;
  sizeBytes: number;
  proxyId: string;
  proxyDiskId: string;
  serial: string;
  changedAreas?: AreasFile;
}

/** What the in-guest agent needs: written to session.json, printed when held, and part of the result. */
export type AgentView = ReturnType<typeof agentView>;

/** The agent's view of a held session. */
export function agentView(kind: SessionKind, disks: DiskView[]) {
  const { session } = kind;
  const p = session.proxy;
  return {
    kind: kind.name,
    sessionId: session.id,
    serverId: session.serverId,
    proxy: { serverId: p.serverId, name: p.name, azId: p.azId, hostId: p.hostId, slots: p.slots },
    resourceId: session.resourceId,
    lockTimeMs: kind.lockTimeMs,
    ...kind.facts(),
    disks,
    warnings: [...session.warnings],
  };
}

/** One attached disk as the agent sees it. */
export const diskView = ({ diskId, sizeBytes, proxyId, proxyDiskId, serial }: AttachedDisk): DiskView => ({
  ...{ diskId, sizeBytes, proxyId, proxyDiskId, serial },
});
