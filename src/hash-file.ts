import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** How much of a file one read takes when the SDK streams it (the hash pre-pass, an upload). @internal */
export const FILE_CHUNK_BYTES = 1024 * 1024;

/** Hex SHA-256 of a file, read as a stream at constant memory. @internal */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  // The next read runs in libuv's pool while this one is hashed; large reads keep the per-read overhead small.
  for await (const chunk of createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
