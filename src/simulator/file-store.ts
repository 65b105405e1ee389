import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/**
 * Bytes an upload may run ahead of the disk. With the write stream's 16 KiB default, every TLS record waited for
 * its own write: the simulator spent 8-9 s of CPU per GiB received, and uploads ran at 120-150 MiB/s.
 */
const WRITE_AHEAD_BYTES = 4 * 1024 * 1024;

/** Size and SHA-256 of a stored file. */
export interface StoredFile {
  /** Where it is. */
  readonly path: string;
  /** Its length. */
  readonly sizeBytes: number;
  /** Hex SHA-256 of its bytes. */
  readonly sha256: string;
}

/**
 * Image files on disk. Uploads are streamed to a file through a running SHA-256, never held in memory.
 * Without a configured directory, a temporary one is made on first use and removed by `close()`.
 */
export class FileStore {
  readonly #configured: string | undefined;
  #dir: Promise<string> | undefined;
  readonly #written = new Set<string>();

  /** Creates a store over `dataDir`, or over a temporary directory when undefined. */
  constructor(dataDir: string | undefined) {
    this.#configured = dataDir;
  }

  /** Streams `body` to a new file named `name`, hashing as it goes; a failed stream leaves no file. */
  async receive(name: string, body: ReadableStream<Uint8Array>): Promise<StoredFile> {
    const path = join(await this.#directory(), name);
    const hash = createHash("sha256");
    let sizeBytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    this.#written.add(path);
    try {
      await pipeline(
        Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
        meter,
        createWriteStream(path, { highWaterMark: WRITE_AHEAD_BYTES }),
      );
    } catch (error) {
      await this.remove(path);
      throw error;
    }
    return { path, sizeBytes, sha256: hash.digest("hex") };
  }

  /** Deletes a file this store wrote. */
  async remove(path: string): Promise<void> {
    this.#written.delete(path);
    await rm(path, { force: true });
  }

  /** Removes the temporary directory, or the files written into a configured one. */
  async close(): Promise<void> {
    if (this.#configured === undefined) {
      if (this.#dir) {
        await rm(await this.#dir, { recursive: true, force: true });
      }
    } else {
      await Promise.all([...this.#written].map((path) => rm(path, { force: true })));
    }
    this.#written.clear();
  }

  #directory(): Promise<string> {
    if (!this.#dir) {
      const configured = this.#configured;
      this.#dir = configured
        ? mkdir(join(configured, "images"), { recursive: true }).then(() => join(configured, "images"))
        : mkdtemp(join(tmpdir(), "scp-sim-"));
    }
    return this.#dir;
  }
}
