import { ScpApiError, type ScpApiErrorInit } from "./api.js";
import { ScpError } from "./base.js";

/** SCP's whole text when a VM's changed block tracking expired (after a snapshot revert or a restore). */
export const CBT_EXPIRED_TEXT = "The VM CBT has expired. Please reset it.";

/**
 * A VM's changed block tracking expired (a snapshot revert or a restore ended it): no changed areas can be read,
 * not even a full backup's, until CBT is reset.
 */
export class ScpCbtExpiredError extends ScpApiError {
  override readonly name: string = "ScpCbtExpiredError";
  /** The VM whose CBT expired. */
  readonly serverId: string;

  /** Creates the error from the API error's fields and the VM; the CBT resource makes these from answers. @internal */
  constructor(init: ScpApiErrorInit & { serverId: string }) {
    super(init);
    this.serverId = init.serverId;
    this.message =
      `${this.message} — CBT of VM ${init.serverId} expired: reset it (scp.cbt.reset), then take a full backup ` +
      "(open the session without sinceCheckpointId, or with resetCbt: true to do both)";
  }
}

/** Why a session lost its backup resource. */
export type ScpSessionLossReason = "expired" | "renewal-failed" | "released";

/**
 * A session's backup resource (the platform's lock on the VM) is gone: it ran out, every renewal failed until it
 * would have, or someone released it. The session's signal aborts with this error and every later call on the
 * session throws it; closing still cleans up.
 */
export class ScpSessionLostError extends ScpError {
  override readonly name: string = "ScpSessionLostError";
  /** The session. */
  readonly sessionId: string;
  /** The backup resource that was lost. */
  readonly resourceId: string;
  /** Why it was lost. */
  readonly reason: ScpSessionLossReason;

  /** Creates the error from its fields; `cause` is the last failure seen, if any. */
  constructor(init: { sessionId: string; resourceId: string; reason: ScpSessionLossReason; cause?: unknown }) {
    const why = {
      expired: "its lock ran out and the platform deleted it",
      "renewal-failed": "every renewal failed until the lock ran out",
      released: "it was released or deleted by someone else",
    }[init.reason];
    const said = init.cause instanceof Error ? ` (last error: ${init.cause.message})` : "";
    super(`session ${init.sessionId} lost backup resource ${init.resourceId}: ${why}${said}`, { cause: init.cause });
    this.sessionId = init.sessionId;
    this.resourceId = init.resourceId;
    this.reason = init.reason;
  }
}

/** Something a backup or restore session holds on the platform. */
export type ScpSessionResourceKind = "hot-added-disk" | "backup-resource" | "snapshot" | "server";

/** Something a session (or a sweep) could not remove, and why. */
export interface ScpSessionLeftover {
  /** What it is. */
  readonly kind: ScpSessionResourceKind;
  /** Its id: the proxy-side disk id for a hot-added disk, else the resource's own id. */
  readonly id: string;
  /** The VM it belongs to: the proxy for a hot-added disk, the locked VM for a backup resource. */
  readonly serverId: string;
  /** Why it remains, in words. */
  readonly reason: string;
  /** When the platform removes it on its own (a backup resource whose lock runs out), as ISO 8601. */
  readonly expiresAt?: string | undefined;
}

/**
 * A session closed (or a sweep ran) but could not remove everything it held; each leftover is listed. The cause is
 * the session's first error, when it had one.
 */
export class ScpSessionCleanupError extends ScpError {
  override readonly name: string = "ScpSessionCleanupError";
  /** The session. */
  readonly sessionId: string;
  /** What remains on the platform. */
  readonly leftovers: readonly ScpSessionLeftover[];

  /** Creates the error from its fields. */
  constructor(init: { sessionId: string; leftovers: readonly ScpSessionLeftover[]; cause?: unknown }) {
    const list = init.leftovers.map((l) => `${l.kind} ${l.id} of ${l.serverId} (${l.reason})`).join("; ");
    super(`session ${init.sessionId} could not remove everything it held: ${list}`, { cause: init.cause });
    this.sessionId = init.sessionId;
    this.leftovers = init.leftovers;
  }
}
