import type { ScpClient } from "../client.js";
import type { ScpSessionLeftover } from "../errors/session.js";
import type { SessionJournal } from "./session-journal.js";
import type { SessionClock } from "./session-lock.js";
import type { StepOptions } from "./step-helpers.js";

/** A disk of the VM a session backs up or restores into. */
export interface SessionDiskInfo {
  /** Its id in the VM's configuration, such as virtio0. */
  id: string;
  /** Its size. */
  sizeBytes: number;
}

/** A disk hot-added to the proxy for a session: what the agent in the proxy's guest needs to find the device. */
export interface AttachedDisk {
  /** The proxy it is attached to. */
  proxyId: string;
  /** Its id on the proxy (such as virtio3). */
  proxyDiskId: string;
  /** The virtio serial the guest sees: the device is `/dev/disk/by-id/virtio-<serial>` (it may show a little late). */
  serial: string;
  /** The VM's disk it stands for. */
  diskId: string;
  /** Its size. */
  sizeBytes: number;
  /** Removes it from the proxy (closing the session does this for every disk still attached). */
  detach(): Promise<void>;
}

/** What a session is built from. @internal */
export interface SessionParts {
  scp: ScpClient;
  id: string;
  kind: "backup" | "restore";
  serverId: string;
  proxy: { id: string; slots: number };
  journal: SessionJournal;
  clock: SessionClock;
  /** How tasks are waited for (no signal: each call passes its own). */
  wait: StepOptions;
  cleanupMaxWaitMs: number;
  /** The caller's signal: aborting it ends the session like a lost lock. */
  signal: AbortSignal | undefined;
}

/** A step of a session's release, after its disks and its lock: removes one thing, or says why it could not. */
export type ReleaseStep = (options: StepOptions & { signal: AbortSignal }) => Promise<ScpSessionLeftover | undefined>;
