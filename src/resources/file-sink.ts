import { type FileHandle, open, rm } from "node:fs/promises";
import { closeAfter, openDirectFile, writeAll } from "./direct-file.js";

/**
 * Largest single write to the file. On a VM whose free memory had been handed back to the host (Linux 6.18, ext4),
 * 1 GiB written in 4 MiB pieces took 2.0 s of system time and in 16-256 KiB pieces 0.2-0.3 s in one set of cold
 * runs; in later runs every size cost 1-1.7 s. Small writes were never the slower ones.
 */
const WRITE_BYTES = 256 * 1024;

/** Most bytes accepted but not yet written: past this, `write` waits for the disk. */
const WRITE_AHEAD_BYTES = 2 * 1024 * 1024;

/** A download's file, written while the caller goes on receiving. @internal */
export interface FileSink {
  /**
   * Takes `chunk`: the caller must not change it until `written` is called (once the chunk is copied, or on its
   * way to the disk); waits only when the write-ahead is full.
   */
  write(chunk: Uint8Array, written?: () => void): Promise<void>;
  /** Waits for the queued writes and closes the file. */
  close(): Promise<void>;
  /** Closes the file without waiting for what is queued, and removes it. */
  fail(): Promise<void>;
}

/**
 * Opens `path` for writing (truncated), before anything is sent, so a path that cannot be written fails at once.
 * With `directIo`, the file is written around the page cache where the platform and file system allow it.
 */
export async function openFileSink(path: string, directIo: boolean): Promise<FileSink> {
  const handle = await open(path, "w");
  const direct = directIo ? await openDirectFile(path, handle) : undefined;
  return direct ?? new QueuedFile(path, handle);
}

/** A file written through the page cache in order, one write at a time; chunks are kept, not copied. */
class QueuedFile implements FileSink {
  readonly #path: string;
  readonly #handle: FileHandle;
  /** Chunks not yet written (the first may be partly written), each with its `written` callback. */
  readonly #queue: { chunk: Uint8Array; written: (() => void) | undefined }[] = [];
  #queuedBytes = 0;
  #position = 0;
  #writing: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;
  #room: (() => void) | undefined;
  #stopped = false;

  constructor(path: string, handle: FileHandle) {
    this.#path = path;
    this.#handle = handle;
  }

  async write(chunk: Uint8Array, written?: () => void): Promise<void> {
    this.#throwIfFailed();
    if (chunk.byteLength === 0) {
      written?.();
      return;
    }
    this.#queue.push({ chunk, written });
    this.#queuedBytes += chunk.byteLength;
    this.#writing ??= this.#drain();
    while (this.#queuedBytes > WRITE_AHEAD_BYTES && !this.#failure) {
      await new Promise<void>((resolve) => {
        this.#room = resolve;
      });
    }
    this.#throwIfFailed();
  }

  /** Waits for the queued writes and closes the file; a write's error wins over one from closing. */
  async close(): Promise<void> {
    await closeAfter(
      () => this.#settled(),
      () => this.#handle.close(),
    );
  }

  async fail(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    await this.#writing?.catch(() => undefined);
    await this.#handle.close().catch(() => undefined);
    await rm(this.#path, { force: true });
  }

  async #settled(): Promise<void> {
    await this.#writing;
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure) {
      throw this.#failure.error;
    }
  }

  /** Writes the queue out, up to WRITE_BYTES at a time, until it is empty. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const { parts, size, done } = this.#take();
        await writeAll(this.#handle, parts, this.#position);
        this.#position += size;
        this.#queuedBytes -= size;
        for (const callback of done) {
          callback?.();
        }
        if (this.#queuedBytes <= WRITE_AHEAD_BYTES) {
          this.#wake();
        }
      }
    } catch (error) {
      this.#failure = { error };
      this.#wake();
    } finally {
      this.#writing = undefined;
    }
  }

  /** Takes up to WRITE_BYTES off the front of the queue, splitting a larger chunk; `done` for the chunks it ends. */
  #take(): { parts: Uint8Array[]; size: number; done: ((() => void) | undefined)[] } {
    const parts: Uint8Array[] = [];
    const done: ((() => void) | undefined)[] = [];
    let size = 0;
    while (this.#queue.length > 0 && size < WRITE_BYTES) {
      const first = this.#queue[0] as { chunk: Uint8Array; written: (() => void) | undefined };
      const room = WRITE_BYTES - size;
      if (first.chunk.byteLength <= room) {
        parts.push(first.chunk);
        this.#queue.shift();
        done.push(first.written);
        size += first.chunk.byteLength;
      } else {
        parts.push(first.chunk.subarray(0, room));
        first.chunk = first.chunk.subarray(room);
        size += room;
      }
    }
    return { parts, size, done };
  }

  #wake(): void {
    const resume = this.#room;
    this.#room = undefined;
    resume?.();
  }
}
