import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { JournalRecord } from "./session-journal.js";

// What a sweep does with the journals of other sessions: read them, judge whether their process is gone, rewrite them.

/** Rewrites a journal a sweep found (what remains of it), atomically; removes it when nothing remains. @internal */
export async function rewriteJournal(file: string, record: JournalRecord): Promise<void> {
  if (record.items.length === 0) {
    await rm(file, { force: true });
    return;
  }
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Every journal of a platform's directory, with its file; unreadable files are skipped. @internal */
export async function readJournals(dir: string): Promise<{ file: string; record: JournalRecord }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: { file: string; record: JournalRecord }[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const file = join(dir, name);
    try {
      const record = JSON.parse(await readFile(file, "utf8")) as JournalRecord;
      if (record.version === 1 && Array.isArray(record.items)) {
        found.push({ file, record });
      }
    } catch {
      // Half-written by a process killed mid-write (the rename never happened), or not ours: leave it.
    }
  }
  return found;
}

/**
 * True while the session may still be at work: not closed, and on this host its pid is alive; on another (a shared
 * state dir), its last sign of life is younger than its lock time.
 * @internal
 */
export function sessionAlive(record: JournalRecord, nowMs: number = Date.now()): boolean {
  if (record.closedAt !== undefined) {
    return false;
  }
  if (record.hostname !== hostname()) {
    return nowMs - Date.parse(record.heartbeatAt) < record.lockTimeMs;
  }
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
