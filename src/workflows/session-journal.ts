import { createHash } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import type { ScpSessionResourceKind } from "../errors/session.js";

/** The environment variable that moves session journals (the `stateDir` option wins over it). */
export const STATE_DIR_ENV = "SCP_SDK_STATE_DIR";

/** One thing a session holds, or is about to create. @internal */
export interface JournalItem {
  /** What it is. */
  kind: ScpSessionResourceKind;
  /** `intent`: the create request is about to go out (its id may never be learnt); `held`: it exists. */
  state: "intent" | "held";
  /** The VM it belongs to: the proxy for a hot-added disk, else the VM backed up or restored. */
  serverId: string;
  /** Its id, once known. */
  id?: string | undefined;
  /** The name it is created with (snapshots, VMs), to find it when the create's answer was lost. */
  name?: string | undefined;
  /** A hot-added disk's source. */
  source?: { serverId: string; diskId: string; snapshotId?: string | undefined } | undefined;
  /** A backup resource's lock time. */
  lockTimeMs?: number | undefined;
  /** When the item last changed (ISO 8601): for a lock, when it was asked for or last renewed. */
  at: string;
}

/** A session's journal file. @internal */
export interface JournalRecord {
  version: 1;
  sessionId: string;
  kind: "backup" | "restore";
  baseUrl: string;
  hostname: string;
  pid: number;
  startedAt: string;
  /** Last sign of life (each lock renewal). */
  heartbeatAt: string;
  lockTimeMs: number;
  /** Set when the session closed but could not remove everything: a sweep may take over at once. */
  closedAt?: string | undefined;
  items: JournalItem[];
}

function defaultCacheDir(): string {
  const env = process.env;
  if (process.platform === "win32") {
    return env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local");
  }
  if (process.platform === "darwin") {
    return join(homedir(), "Library", "Caches");
  }
  return env.XDG_CACHE_HOME || join(homedir(), ".cache");
}

/**
 * The directory of one platform's journals: `<stateDir>/<first 16 hex of the SHA-256 of the base URL>`, where the
 * state dir is the option, else `SCP_SDK_STATE_DIR`, else `<user cache dir>/sangfor-scp-sdk/sessions`.
 * @internal
 */
export function journalDir(baseUrl: string, stateDir?: string): string {
  const root = stateDir ?? (process.env[STATE_DIR_ENV] || join(defaultCacheDir(), "sangfor-scp-sdk", "sessions"));
  return join(root, createHash("sha256").update(baseUrl).digest("hex").slice(0, 16));
}

/**
 * What a session holds, on disk, written before each create (the intent) and after it (the id), so a sweep in
 * another process finds what a killed one left. Writes are atomic (a temporary file renamed over) and in order.
 * @internal
 */
export class SessionJournal {
  readonly #file: string;
  readonly #record: JournalRecord;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, record: JournalRecord) {
    this.#file = file;
    this.#record = record;
  }

  /** Creates the session's journal file; throws (before anything is created on the platform) when it cannot. */
  static async open(dir: string, record: Omit<JournalRecord, "version" | "hostname" | "pid" | "items">) {
    await mkdir(dir, { recursive: true });
    const full: JournalRecord = { version: 1, hostname: hostname(), pid: process.pid, items: [], ...record };
    const journal = new SessionJournal(join(dir, `${record.sessionId}.json`), full);
    await journal.#save();
    return journal;
  }

  /** Records that a create is about to be sent; returns the item to complete or drop later. */
  async intent(item: Omit<JournalItem, "state" | "at">, at: Date): Promise<JournalItem> {
    const entry: JournalItem = { ...item, state: "intent", at: at.toISOString() };
    this.#record.items.push(entry);
    await this.#save();
    return entry;
  }

  /** Records that the item exists, with its id. */
  async held(item: JournalItem, id: string, at: Date): Promise<void> {
    Object.assign(item, { state: "held", id, at: at.toISOString() });
    await this.#save();
  }

  /** Forgets an item that is gone (removed, or never made). */
  async drop(item: JournalItem): Promise<void> {
    const at = this.#record.items.indexOf(item);
    if (at >= 0) {
      this.#record.items.splice(at, 1);
      await this.#save();
    }
  }

  /** Notes a sign of life, and when a lock item was last renewed. */
  async heartbeat(at: Date, renewed?: JournalItem): Promise<void> {
    this.#record.heartbeatAt = at.toISOString();
    if (renewed) {
      renewed.at = at.toISOString();
    }
    await this.#save();
  }

  /** Items whose create was sent but whose id was never learnt. */
  unresolved(): JournalItem[] {
    return this.#record.items.filter((i) => i.state === "intent");
  }

  /** Marks the session closed with things left: a sweep takes over what the journal still names. */
  async close(at: Date): Promise<void> {
    this.#record.closedAt = at.toISOString();
    await this.#save();
  }

  /** Removes the journal: the session holds nothing any more. */
  async clear(): Promise<void> {
    await this.#writing;
    await rm(this.#file, { force: true });
  }

  #save(): Promise<void> {
    const text = `${JSON.stringify(this.#record, null, 2)}\n`;
    const temp = `${this.#file}.${process.pid}.tmp`;
    this.#writing = this.#writing
      .catch(() => undefined)
      .then(async () => {
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, this.#file);
      });
    return this.#writing;
  }
}
