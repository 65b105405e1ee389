import { type FileHandle, open } from "node:fs/promises";
import { Readable } from "node:stream";
import { FILE_CHUNK_BYTES } from "../hash-file.js";
import { ChunkPool } from "../transport/chunk-loans.js";

/** Most buffers a file stream keeps for reuse. */
const SPARE_BUFFERS = 8;

/**
 * A file as a stream of 2 MiB chunks read into buffers that are lent out (see {@link ChunkPool}): a reader that
 * gives them back (the SDK's own connection, once the socket has written one) gets the same few buffers over and
 * over; any other reader gets fresh ones, as from `fs.createReadStream`.
 * @internal
 */
export class FileChunks extends Readable {
  readonly #path: string;
  readonly #buffers = new ChunkPool(FILE_CHUNK_BYTES, SPARE_BUFFERS);
  #handle: FileHandle | undefined;
  #position = 0;

  constructor(path: string) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
    this.#path = path;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#path, "r").then((handle) => {
      this.#handle = handle;
      callback();
    }, callback);
  }

  override _read(): void {
    const buffer = this.#buffers.take();
    (this.#handle as FileHandle).read(buffer, 0, FILE_CHUNK_BYTES, this.#position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.push(null);
          return;
        }
        this.#position += bytesRead;
        if (bytesRead < FILE_CHUNK_BYTES) {
          this.push(buffer.subarray(0, bytesRead));
          return;
        }
        this.#buffers.lend(buffer);
        this.push(buffer);
      },
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    // A read still running finishes before the close (FileHandle waits for it).
    (handle ? handle.close() : Promise.resolve()).then(
      () => callback(error),
      () => callback(error),
    );
  }
}
