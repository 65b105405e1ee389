import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** How much of a file one read takes when the SDK streams it to SCP (an upload). @internal */
export const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * How much of a file one read of the hash pre-pass takes: with 4 MiB reads the pre-pass ran at 0.92× SHA-256 of a
 * buffer held in the CPU's cache (1,485 vs 1,610 MiB/s on a cached 1 GiB file), with 1 MiB reads at 0.85–0.88×.
 */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Hex SHA-256 of a file at constant memory. Two buffers take turns: the next read runs in libuv's pool while this
 * one is hashed, and the same two are used throughout (a fresh buffer per read, as a read stream makes,
 * cost the pre-pass more CPU than the hash itself: 256 MiB took 0.77 s of CPU against 0.27 s).
 * @internal
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const buffers = [Buffer.allocUnsafe(HASH_CHUNK_BYTES), Buffer.allocUnsafe(HASH_CHUNK_BYTES)];
    const read = (buffer: Buffer, position: number) => handle.read(buffer, 0, HASH_CHUNK_BYTES, position);
    let position = 0;
    let pending = read(buffers[0] as Buffer, position);
    for (let turn = 1; ; turn ^= 1) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) {
        break;
      }
      position += bytesRead;
      pending = read(buffers[turn] as Buffer, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}
