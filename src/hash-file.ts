import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/**
 * How much of a file one read takes when the SDK streams it to SCP (an upload). A 1 GiB upload took 1.08-1.38 s of
 * client CPU with 2 MiB reads against 1.34-1.66 s with 1 MiB ones (8 rotated runs each; peak RSS 111 against 107 MiB):
 * half as many reads, and half as many writes to the TLS socket.
 * @internal
 */
export const FILE_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * How much of a file one read of the hash pre-pass takes. Two 2 MiB reads started together ran at 0.92× SHA-256 of a
 * buffer held in the CPU's cache (1,474 vs 1,600 MiB/s, mean of 8 fresh processes on a cached 1 GiB file), one
 * 4 MiB read at a time at 0.90× (1,444): the first touch of a fresh buffer's pages is slow on a VM, and the two
 * buffers' first reads then fault them in on two threads at once. With 1 MiB reads, 0.85–0.88×.
 */
const HASH_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Hex SHA-256 of a file at constant memory. Two buffers take turns: one is read in libuv's pool while the other is
 * hashed, and the same two are used throughout (a fresh buffer per read, as a read stream makes, cost the pre-pass
 * more CPU than the hash itself: 256 MiB took 0.77 s of CPU against 0.27 s).
 * @internal
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  const reads: Read[] = [];
  try {
    const buffers = [Buffer.allocUnsafe(HASH_CHUNK_BYTES), Buffer.allocUnsafe(HASH_CHUNK_BYTES)];
    let next = 0;
    const readInto = (buffer: Buffer) => {
      const position = next;
      next += HASH_CHUNK_BYTES;
      reads.push({ position, done: handle.read(buffer, 0, HASH_CHUNK_BYTES, position) });
    };
    buffers.forEach(readInto);
    for (;;) {
      const { position, done } = reads.shift() as Read;
      const { bytesRead, buffer } = await done;
      if (bytesRead === 0) {
        break;
      }
      hash.update(buffer.subarray(0, bytesRead));
      if (bytesRead < HASH_CHUNK_BYTES) {
        // A short read: the end of the file, or a file system that returns less. Either way, the read under way
        // started past a gap; let it end and go on from the byte after this one.
        await Promise.allSettled(reads.splice(0).map((read) => read.done));
        next = position + bytesRead;
        buffers.forEach(readInto);
        continue;
      }
      readInto(buffer);
    }
  } finally {
    // A read still under way (past the end, or after a failed one) must not outlive the handle.
    await Promise.allSettled(reads.map((read) => read.done));
    await handle.close();
  }
  return hash.digest("hex");
}

/** A read of the pre-pass: where it starts, and its result. */
interface Read {
  position: number;
  done: Promise<{ bytesRead: number; buffer: Buffer }>;
}
