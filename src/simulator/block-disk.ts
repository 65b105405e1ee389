import { createHash } from "node:crypto";

/** Hashing reads the unwritten parts of a disk through this many zero bytes at a time. */
const ZERO_RUN_BYTES = 1024 * 1024;

/**
 * A virtual disk's content, sparse: only written blocks are kept; the rest reads as zeros. Block buffers are
 * never changed once stored: a write stores new buffers, so a copy of the block map (a snapshot, a linked clone)
 * shares every block it did not write since, and a 64 GiB disk costs only what was written to it.
 */
export class BlockDisk {
  /** Size of the disk in bytes. */
  readonly sizeBytes: number;
  /** Size of a block in bytes (the unit of allocation and of change tracking). */
  readonly blockSize: number;
  readonly #blocks: Map<number, Uint8Array>;

  /** An empty disk (all zeros), or one holding the given blocks. */
  constructor(sizeBytes: number, blockSize: number, blocks: ReadonlyMap<number, Uint8Array> = new Map()) {
    this.sizeBytes = sizeBytes;
    this.blockSize = blockSize;
    this.#blocks = new Map(blocks);
  }

  /** A disk with the same content that shares every block buffer (the copy-on-write step of a snapshot). */
  copy(): BlockDisk {
    return new BlockDisk(this.sizeBytes, this.blockSize, this.#blocks);
  }

  /** Makes this disk's content that of `other` (same size), sharing its buffers: a revert to a snapshot. */
  assign(other: BlockDisk): void {
    if (other.sizeBytes !== this.sizeBytes || other.blockSize !== this.blockSize) {
      throw new RangeError("a disk can take only the content of a disk of its own size and block size");
    }
    this.#blocks.clear();
    for (const [index, block] of other.#blocks) {
      this.#blocks.set(index, block);
    }
  }

  /** Reads `length` bytes at `offset`; unwritten blocks read as zeros. */
  read(offset: number, length: number): Uint8Array {
    this.#checkRange(offset, length);
    const out = new Uint8Array(length);
    for (const { index, from, to } of this.#spans(offset, length)) {
      const block = this.#blocks.get(index);
      if (block) {
        out.set(block.subarray(from, to), index * this.blockSize + from - offset);
      }
    }
    return out;
  }

  /** Writes `bytes` at `offset`, storing new buffers for the blocks touched; returns their indices. */
  write(offset: number, bytes: Uint8Array): number[] {
    this.#checkRange(offset, bytes.byteLength);
    const touched: number[] = [];
    for (const { index, from, to } of this.#spans(offset, bytes.byteLength)) {
      const source = bytes.subarray(index * this.blockSize + from - offset, index * this.blockSize + to - offset);
      const next = new Uint8Array(this.#blockLength(index));
      const old = this.#blocks.get(index);
      if (old && (from > 0 || to < next.byteLength)) {
        next.set(old);
      }
      next.set(source, from);
      this.#blocks.set(index, next);
      touched.push(index);
    }
    return touched;
  }

  /** Indices of the written (allocated) blocks, in order. */
  allocatedBlocks(): number[] {
    return [...this.#blocks.keys()].sort((a, b) => a - b);
  }

  /** Hex SHA-256 of the whole disk, unwritten parts as zeros. */
  sha256(): string {
    const hash = createHash("sha256");
    const zeros = new Uint8Array(Math.min(ZERO_RUN_BYTES, this.sizeBytes));
    let zeroRun = 0;
    const flushZeros = () => {
      for (; zeroRun > 0; zeroRun -= Math.min(zeroRun, zeros.byteLength)) {
        hash.update(zeros.subarray(0, Math.min(zeroRun, zeros.byteLength)));
      }
    };
    const count = Math.ceil(this.sizeBytes / this.blockSize);
    for (let index = 0; index < count; index++) {
      const block = this.#blocks.get(index);
      if (block) {
        flushZeros();
        hash.update(block);
      } else {
        zeroRun += this.#blockLength(index);
      }
    }
    flushZeros();
    return hash.digest("hex");
  }

  #blockLength(index: number): number {
    return Math.min(this.blockSize, this.sizeBytes - index * this.blockSize);
  }

  /** The blocks a byte range touches, with the part of each block it covers. */
  *#spans(offset: number, length: number): Generator<{ index: number; from: number; to: number }> {
    const end = offset + length;
    for (let index = Math.floor(offset / this.blockSize); index * this.blockSize < end; index++) {
      const start = index * this.blockSize;
      yield { index, from: Math.max(offset, start) - start, to: Math.min(end, start + this.blockSize) - start };
    }
  }

  #checkRange(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`offset and length must be whole numbers >= 0 (got ${offset} and ${length})`);
    }
    if (offset + length > this.sizeBytes) {
      throw new RangeError(
        `bytes ${offset} to ${offset + length} run past the end of the disk (${this.sizeBytes} bytes)`,
      );
    }
  }
}
