import { ScpResponseError } from "../errors/call.js";
import type { ChangedAreas } from "../generated/schema.js";

/** One changed (or, for a full, allocated) area of a disk, in bytes. */
export interface ChangedArea {
  /** Byte offset on the disk. */
  offset: number;
  /** Length in bytes. */
  length: number;
}

/** What one changed-areas read asks for (SCP's query, in its names). */
export interface ChangedAreasQuery {
  /** The disk, by its id in the VM's configuration (such as virtio0). */
  disk_id: string;
  /** The snapshot whose disk is mapped. */
  snapshot_id: string;
  /** 0 for every allocated area (a full); else the checkpoint of the older snapshot an incremental starts from. */
  checkpoint_id: number;
  /** Where to start, in bytes. */
  start_offset: number;
}

const PATH = "/janus/20180725/servers/{server_id}/cbt/changed-areas";

function badAnswer(message: string): ScpResponseError {
  return new ScpResponseError({ method: "GET", path: PATH, status: 200, issues: [{ path: ["data"], message }] });
}

/** The end of the part an answer covered; throws when it does not move on from `offset` or overruns the disk. */
function coveredEnd(page: ChangedAreas, offset: number, diskSizeBytes: number): number {
  const end = page.start_offset + page.length;
  if (page.start_offset > offset || end <= offset) {
    throw badAnswer(`asked from ${offset}, the answer covered ${page.start_offset}-${end}: it does not move on`);
  }
  if (end > diskSizeBytes) {
    throw badAnswer(`the answer covers up to ${end}, past the disk's end (${diskSizeBytes} bytes)`);
  }
  for (const area of page.changed_area) {
    if (area.start < page.start_offset || area.start + area.length > end) {
      throw badAnswer(`area ${area.start}+${area.length} lies outside the part covered (${page.start_offset}-${end})`);
    }
  }
  return end;
}

/**
 * Pages a disk's changed areas from `startOffset` to its end: each read starts where the last answer's covered part
 * ended, an empty answer never ends it, and areas that touch across answers are joined.
 * @internal
 */
export async function* listChangedAreas(
  readPage: (query: ChangedAreasQuery) => Promise<ChangedAreas>,
  input: {
    diskId: string;
    snapshotId: string;
    checkpointId: number;
    diskSizeBytes: number;
    startOffset?: number | undefined;
  },
): AsyncGenerator<ChangedArea, void, undefined> {
  const { diskId, snapshotId, checkpointId, diskSizeBytes } = input;
  const query = { disk_id: diskId, snapshot_id: snapshotId, checkpoint_id: checkpointId };
  let held: ChangedArea | undefined;
  for (let offset = input.startOffset ?? 0; offset < diskSizeBytes; ) {
    const page = await readPage({ ...query, start_offset: offset });
    const end = coveredEnd(page, offset, diskSizeBytes);
    for (const area of page.changed_area) {
      if (held && area.start === held.offset + held.length) {
        held.length += area.length;
        continue;
      }
      if (held) {
        yield held;
      }
      held = area.length > 0 ? { offset: area.start, length: area.length } : undefined;
    }
    offset = end;
  }
  if (held) {
    yield held;
  }
}
