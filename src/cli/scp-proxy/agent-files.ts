import { mkdir, open, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChangedArea } from "../../index.js";

/** A disk's changed areas as written for the agent: the file, and how many areas and bytes it lists. */
export interface AreasFile {
  file: string;
  count: number;
  bytes: number;
}

/** Where the agent's files go; made when missing. */
export async function agentDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A disk id as a file name (ids are like virtio0; anything else is replaced, so a name never leaves the folder). */
function fileName(diskId: string): string {
  return `${diskId.replace(/[^\w.-]/g, "_")}.jsonl`;
}

/** Lines buffered before each write: a changed-area map can have tens of thousands of ranges. */
const BATCH_CHARS = 64 * 1024;

/** Writes a disk's changed areas as JSON lines, `{"offset":…,"length":…}` in bytes, in order. */
export async function writeAreas(dir: string, diskId: string, areas: AsyncIterable<ChangedArea>): Promise<AreasFile> {
  const file = join(dir, fileName(diskId));
  const handle = await open(file, "w");
  let count = 0;
  let bytes = 0;
  let batch = "";
  try {
    for await (const area of areas) {
      batch += `${JSON.stringify({ offset: area.offset, length: area.length })}\n`;
      count++;
      bytes += area.length;
      if (batch.length >= BATCH_CHARS) {
        await handle.write(batch);
        batch = "";
      }
    }
    await handle.write(batch);
  } finally {
    await handle.close();
  }
  return { file, count, bytes };
}

/** Writes a JSON file whole or not at all (a temporary file renamed over), so a reader that sees it sees it all. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}
