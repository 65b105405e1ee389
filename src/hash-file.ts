import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Hex SHA-256 of a file, read as a stream at constant memory. @internal */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
