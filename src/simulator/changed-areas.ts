import type { ChangedAreas } from "../generated/schema.js";

/** How much one changed-areas answer may cover and list. */
export interface AreaLimits {
  /** Most bytes of the disk one answer covers. */
  readonly windowBytes: number;
  /** Most areas one answer lists; the answer then ends where its last area ends. */
  readonly maxAreas: number;
}

/**
 * One changed-areas answer: the areas (in bytes) of `blocks` (sorted block indices) from `startOffset` to the end
 * of the window, the disk or the area limit, whichever comes first. A window without blocks answers no areas but
 * still covers the window, so a reader moves on. Runs of adjacent blocks merge into one area; an area crossing the
 * answer's end is cut there and continues in the next answer.
 */
export function areasPage(
  blocks: readonly number[],
  disk: { readonly sizeBytes: number; readonly blockSize: number },
  startOffset: number,
  limits: AreaLimits,
): ChangedAreas {
  const { blockSize } = disk;
  let end = Math.min(disk.sizeBytes, startOffset + limits.windowBytes);
  const areas: { start: number; length: number }[] = [];
  for (let i = firstBlockEndingAfter(blocks, startOffset, blockSize); i < blocks.length; i++) {
    const first = blocks[i] ?? 0;
    let last = first;
    while (blocks[i + 1] === last + 1) {
      i++;
      last++;
    }
    const start = Math.max(first * blockSize, startOffset);
    if (start >= end) {
      break;
    }
    if (areas.length === limits.maxAreas) {
      const previous = areas[areas.length - 1];
      end = previous ? previous.start + previous.length : startOffset;
      break;
    }
    areas.push({ start, length: Math.min((last + 1) * blockSize, end) - start });
  }
  return { start_offset: startOffset, length: end - startOffset, changed_area: areas };
}

/** Index of the first block that ends after `offset` (binary search). */
function firstBlockEndingAfter(blocks: readonly number[], offset: number, blockSize: number): number {
  let low = 0;
  let high = blocks.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (((blocks[mid] ?? 0) + 1) * blockSize <= offset) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}
