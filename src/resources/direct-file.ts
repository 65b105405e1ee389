import { constants } from "node:fs";
import { type FileHandle, open, rm } from "node:fs/promises";

/**
 * Bytes of one staging buffer, and of every write but the last: a multiple of any disk's block size. Each direct
 * write costs a fixed part (pinning, the request, on a VM a notification of the host): a 1 GiB download took
 * 2.31-2.83 s of client CPU with 4 MiB writes against 2.44-3.05 s with 1 MiB ones (medians of four sets of 5-6
 * runs, 0.13-0.39 s less in each), at the same speed or a little faster.
 */
const STAGE_BYTES = 4 * 1024 * 1024;

/**
 * Staging buffers: one fills while the other is on its way to the disk. Four of 4 MiB were no faster than two;
 * eight of 1 MiB were the best of 1 MiB stages (4: 420-480 MiB/s, 8: 470-510, 16: 420-470).
 */
const STAGES = 2;

/** Direct writes at once: fewer than libuv's four threads, so a DNS lookup or a file open never waits behind them. */
const WRITES_AT_ONCE = 2;

/** Errors of a direct write that say the file system takes no direct I/O (or not from this buffer). */
const NO_DIRECT_IO = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP"]);

/**
 * The file already open as `plain`, opened again for direct I/O (`O_DIRECT`); `undefined` where the platform, the
 * runtime or the file system has none, and the caller writes through `plain` instead.
 * @internal
 */
export async function openDirectFile(path: string, plain: FileHandle): Promise<DirectFile | undefined> {
  const flag = constants.O_DIRECT;
  if (flag === undefined || typeof WebAssembly === "undefined") {
    return undefined;
  }
  let stages: Buffer[];
  try {
    stages = stagingBuffers();
  } catch {
    return undefined;
  }
  // The open file itself, not its path again: a path renamed or replaced in between cannot split the writes.
  const direct = await open(`/proc/self/fd/${plain.fd}`, constants.O_WRONLY | flag).catch(() => undefined);
  return direct && new DirectFile(path, plain, direct, stages);
}

/** STAGES buffers of STAGE_BYTES in one WebAssembly memory: its start is page-aligned, as direct I/O asks. */
function stagingBuffers(): Buffer[] {
  const memory = new WebAssembly.Memory({ initial: (STAGES * STAGE_BYTES) / 65536 });
  return Array.from({ length: STAGES }, (_, i) => Buffer.from(memory.buffer, i * STAGE_BYTES, STAGE_BYTES));
}

/**
 * A file written around the page cache (a `FileSink`): chunks are copied into page-aligned staging buffers, which
 * go to the disk whole. On a VM, the page cache's first touch of memory is what costs: 1 GiB written through it
 * took 1-2.4 s of system time, direct 0.1-0.3 s. The last partial buffer goes through the page cache, as does
 * everything once the file system refuses a direct write.
 * @internal
 */
export class DirectFile {
  readonly #path: string;
  readonly #plain: FileHandle;
  #direct: FileHandle | undefined;
  readonly #stages: Buffer[];
  readonly #free: number[];
  /** Full stages waiting for a write to start, in file order. */
  readonly #full: { index: number; position: number }[] = [];
  readonly #writes = new Set<Promise<void>>();
  #stage: number;
  #filled = 0;
  #position = 0;
  #failure: { error: unknown } | undefined;

  constructor(path: string, plain: FileHandle, direct: FileHandle, stages: Buffer[]) {
    this.#path = path;
    this.#plain = plain;
    this.#direct = direct;
    this.#stages = stages;
    this.#free = stages.map((_, i) => i).reverse();
    this.#stage = this.#free.pop() as number;
  }

  /** Copies `chunk` into the staging buffers (`written` is called once it is copied); waits while all are full. */
  async write(chunk: Uint8Array, written?: () => void): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      this.#throwIfFailed();
      const count = Math.min(chunk.byteLength - offset, STAGE_BYTES - this.#filled);
      (this.#stages[this.#stage] as Buffer).set(chunk.subarray(offset, offset + count), this.#filled);
      this.#filled += count;
      offset += count;
      if (this.#filled === STAGE_BYTES) {
        this.#full.push({ index: this.#stage, position: this.#position });
        this.#position += STAGE_BYTES;
        this.#filled = 0;
        this.#startWrites();
        this.#stage = await this.#nextStage();
      }
    }
    written?.();
    this.#throwIfFailed();
  }

  /** Writes what is left and closes the file; the first error wins over one from closing. */
  async close(): Promise<void> {
    await closeAfter(
      async () => {
        await this.#settled();
        if (this.#filled > 0) {
          const rest = (this.#stages[this.#stage] as Buffer).subarray(0, this.#filled);
          await writeAll(this.#plain, [rest], this.#position);
        }
      },
      () => this.#closeHandles(),
    );
  }

  /** Stops, lets the writes under way end, closes the file and removes it. */
  async fail(): Promise<void> {
    this.#failure ??= { error: new Error("the download failed") };
    this.#full.length = 0;
    await Promise.allSettled(this.#writes);
    await this.#closeHandles().catch(() => undefined);
    await rm(this.#path, { force: true });
  }

  /** Starts writes of full stages, in order, while fewer than WRITES_AT_ONCE are under way. */
  #startWrites(): void {
    while (this.#writes.size < WRITES_AT_ONCE && this.#full.length > 0 && !this.#failure) {
      const { index, position } = this.#full.shift() as { index: number; position: number };
      const write: Promise<void> = this.#writeStage(this.#stages[index] as Buffer, position)
        .catch((error: unknown) => {
          this.#failure ??= { error };
        })
        .finally(() => {
          this.#writes.delete(write);
          this.#free.push(index);
          this.#startWrites();
        });
      this.#writes.add(write);
    }
  }

  async #writeStage(buffer: Buffer, position: number): Promise<void> {
    const direct = this.#direct;
    if (direct) {
      let written: number | undefined;
      try {
        written = (await direct.write(buffer, 0, buffer.byteLength, position)).bytesWritten;
      } catch (error) {
        if (!NO_DIRECT_IO.has((error as NodeJS.ErrnoException).code ?? "")) {
          throw error;
        }
        // The file system refuses direct I/O after all: this stage and every later one go through the page cache.
        this.#direct = undefined;
        await direct.close().catch(() => undefined);
      }
      if (written !== undefined) {
        // A short write (a disk nearly full): the rest, no longer aligned, goes through the page cache.
        await writeAll(this.#plain, [buffer.subarray(written)], position + written);
        return;
      }
    }
    await writeAll(this.#plain, [buffer], position);
  }

  /** A free staging buffer, waiting for a write to end if none is. */
  async #nextStage(): Promise<number> {
    while (this.#free.length === 0 && !this.#failure) {
      await Promise.race(this.#writes);
    }
    this.#throwIfFailed();
    return this.#free.pop() as number;
  }

  /** Waits until every full stage is written; throws the first write's error. */
  async #settled(): Promise<void> {
    while (this.#writes.size > 0) {
      await Promise.all(this.#writes);
    }
    this.#throwIfFailed();
  }

  async #closeHandles(): Promise<void> {
    const direct = this.#direct;
    this.#direct = undefined;
    await Promise.all([direct?.close(), this.#plain.close()]);
  }

  #throwIfFailed(): void {
    if (this.#failure) {
      throw this.#failure.error;
    }
  }
}

/**
 * Runs `work`, then `close` whatever happened: an error of `work` wins over one from closing, which would hide it.
 * @internal
 */
export async function closeAfter(work: () => Promise<void>, close: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  await close();
}

/**
 * Writes all of `buffers`, in order from `position`, however many writes it takes.
 * @internal
 */
export async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  const size = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  let done = 0;
  while (done < size) {
    const { bytesWritten } = await handle.writev(done === 0 ? buffers : remainder(buffers, done), position + done);
    if (bytesWritten === 0) {
      // A disk that takes nothing and reports no error would have this loop spin forever.
      throw new Error(`the disk took no bytes of a write at byte ${position + done}`);
    }
    done += bytesWritten;
  }
}

/** The buffers past their first `skip` bytes (after a short write). */
function remainder(buffers: Uint8Array[], skip: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let left = skip;
  for (const buffer of buffers) {
    if (left >= buffer.byteLength) {
      left -= buffer.byteLength;
      continue;
    }
    rest.push(buffer.subarray(left));
    left = 0;
  }
  return rest;
}
