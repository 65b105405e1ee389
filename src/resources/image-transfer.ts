import { createHash, type Hash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { ScpApiError, ScpResponseError, ScpTimeoutError } from "../errors.js";
import { TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { responseInfo } from "../transport/response-info.js";
import { unwrap, unwrapData } from "../transport/unwrap.js";
import { fileSize, fileSource, spoolToFile } from "./body-sources.js";
import type { RequestOptions, TaskRef } from "./request-options.js";

/** Options of a streamed transfer. */
export interface TransferOptions extends RequestOptions {
  /** Called as bytes move, with the bytes done so far and the total when known. */
  onProgress?: (doneBytes: number, totalBytes: number | undefined) => void;
  /** Fail (or, for downloads, resume) when no byte moves for this long. @defaultValue the client's `timeoutMs` */
  idleTimeoutMs?: number;
}

/** Options of a download. */
export interface DownloadOptions extends TransferOptions {
  /** How many times a dropped download resumes with `Range`. @defaultValue 5 */
  maxResumes?: number;
}

/** Where an upload reads from: a file (reopened per attempt) or a stream (first copied to a temporary file). */
export type UploadSource =
  | { file: string; sha256?: string }
  | { stream: ReadableStream<Uint8Array> | NodeJS.ReadableStream };

/** Where a download writes to: a file (created or truncated) or a writable stream. */
export type DownloadTarget = { file: string } | { stream: WritableStream<Uint8Array> };

/** What a download produced. */
export interface DownloadResult {
  /** Bytes written. */
  sizeBytes: number;
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
  /** How many times the download resumed after a dropped connection. */
  resumes: number;
}

/** Aborts when no byte moves for `idleMs`; every chunk re-arms it. */
class IdleWatchdog {
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #reason: () => Error;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Unarmed until the first `touch()`. */
  constructor(idleMs: number, reason: () => Error) {
    this.#idleMs = idleMs;
    this.#reason = reason;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  touch(): void {
    clearTimeout(this.#timer);
    if (this.#idleMs > 0) {
      this.#timer = setTimeout(() => this.#controller.abort(this.#reason()), this.#idleMs);
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

function combine(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

/**
 * Uploads an image file as a raw stream at constant memory; returns the distribution task.
 * @internal
 */
export async function uploadImageFile(
  transport: Transport,
  imageId: string,
  from: UploadSource,
  options: TransferOptions & { defaultIdleMs: number },
): Promise<TaskRef> {
  const spooled = "stream" in from ? await spoolToFile(from.stream, options.signal) : undefined;
  const path = spooled?.path ?? (from as { file: string }).file;
  try {
    const total = await fileSize(path);
    const file = fileSource(path, spooled?.sha256 ?? ("sha256" in from ? from.sha256 : undefined));
    const idleMs = options.idleTimeoutMs ?? options.defaultIdleMs;
    const urlPath = `/janus/20180725/images/${imageId}/upload`;
    const watchdog = new IdleWatchdog(
      idleMs,
      () => new ScpTimeoutError({ method: "PUT", path: urlPath, timeoutMs: idleMs }),
    );
    const source = {
      sha256: file.sha256,
      size: total,
      open: () => {
        // Armed when sending starts, not during the hash pre-pass that signing does first.
        watchdog.touch();
        let sent = 0;
        return file.open().pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            // Every chunk pulled proves the upload is alive.
            transform(chunk, controller) {
              sent += chunk.byteLength;
              watchdog.touch();
              options.onProgress?.(sent, total);
              controller.enqueue(chunk);
            },
          }),
        );
      },
    };
    try {
      const pending = transport.http.PUT("/janus/20180725/images/{image_id}/upload", {
        params: { path: { image_id: imageId } },
        body: "",
        bodySerializer: () => undefined,
        fetch: transport.fetchWith({ source, timeoutMs: 0 }),
        signal: combine(options.signal, watchdog.signal),
      });
      return { taskId: (await unwrapData(pending, TaskRefGate)).task_id };
    } finally {
      watchdog.stop();
    }
  } finally {
    await spooled?.remove();
  }
}

/** Where downloaded bytes go, with the ability to start over when the server ignores a Range. */
interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  restart(): Promise<void>;
  /** Finishes a complete download. */
  close(): Promise<void>;
  /** Ends a failed download: a stream target is aborted (never closed as if whole), a file is removed. */
  fail(error: unknown): Promise<void>;
}

async function openSink(target: DownloadTarget): Promise<Sink> {
  if ("file" in target) {
    const handle = await open(target.file, "w");
    let position = 0;
    return {
      write: async (chunk) => {
        await handle.write(chunk, 0, chunk.byteLength, position);
        position += chunk.byteLength;
      },
      restart: async () => {
        await handle.truncate(0);
        position = 0;
      },
      close: () => handle.close(),
      fail: async () => {
        await handle.close();
        await rm(target.file, { force: true });
      },
    };
  }
  const writer = target.stream.getWriter();
  return {
    write: async (chunk) => {
      await writer.ready;
      await writer.write(chunk);
    },
    restart: () => Promise.reject(new Error("the server ignored Range, and a stream target cannot be rewound")),
    close: () => writer.close(),
    fail: (error) => writer.abort(error),
  };
}

/** How far a download got, across resumes. */
interface Progress {
  hash: Hash;
  offset: number;
  total: number | undefined;
}

/**
 * Downloads an exported image at constant memory with a running SHA-256, resuming with `Range` after a
 * dropped connection or a stall. A failed download removes its file (or aborts its stream).
 * @internal
 */
export async function downloadImageFile(
  transport: Transport,
  imageId: string,
  target: DownloadTarget,
  options: DownloadOptions & { defaultIdleMs: number },
): Promise<DownloadResult> {
  const maxResumes = options.maxResumes ?? 5;
  const sink = await openSink(target);
  const progress: Progress = { hash: createHash("sha256"), offset: 0, total: undefined };
  try {
    for (let resumes = 0; ; resumes++) {
      try {
        await downloadFrom(transport, imageId, sink, progress, options);
        await sink.close();
        return { sizeBytes: progress.offset, sha256: progress.hash.digest("hex"), resumes };
      } catch (error) {
        if (options.signal?.aborted || resumes >= maxResumes || !isResumable(error)) {
          throw error;
        }
      }
    }
  } catch (error) {
    await sink.fail(error);
    throw error;
  }
}

/** One attempt: asks for the bytes from `progress.offset` on and writes them until the body ends. */
async function downloadFrom(
  transport: Transport,
  imageId: string,
  sink: Sink,
  progress: Progress,
  options: DownloadOptions & { defaultIdleMs: number },
): Promise<void> {
  const idleMs = options.idleTimeoutMs ?? options.defaultIdleMs;
  const path = `/janus/20240725/images/${imageId}/download`;
  const watchdog = new IdleWatchdog(idleMs, () => new ScpTimeoutError({ method: "GET", path, timeoutMs: idleMs }));
  watchdog.touch();
  try {
    const pending = transport.http.GET("/janus/20240725/images/{image_id}/download", {
      params: {
        path: { image_id: imageId },
        header: progress.offset > 0 ? { Range: `bytes=${progress.offset}-` } : {},
      },
      parseAs: "stream",
      fetch: transport.fetchWith({ streamResponse: true }),
      signal: combine(options.signal, watchdog.signal),
    });
    const { body, response, start, size } = await openBody(pending, progress.offset);
    if (start === 0 && progress.offset > 0) {
      // The server sent the whole file again: start over.
      await sink.restart();
      Object.assign(progress, { hash: createHash("sha256"), offset: 0 });
    }
    progress.total = size ?? progress.total;
    for await (const chunk of body) {
      watchdog.touch();
      await sink.write(chunk);
      progress.hash.update(chunk);
      progress.offset += chunk.byteLength;
      options.onProgress?.(progress.offset, progress.total);
    }
    if (progress.total !== undefined && progress.offset !== progress.total) {
      const message = `body ended at byte ${progress.offset} of ${progress.total}`;
      throw new ScpResponseError({
        ...responseInfo(response),
        status: response.status,
        issues: [{ path: [], message }],
      });
    }
  } finally {
    watchdog.stop();
  }
}

// A refused request (4xx) will be refused again; a drop, a stall, a 5xx or a short body may succeed on resume.
function isResumable(error: unknown): boolean {
  return !(error instanceof ScpApiError && error.status < 500);
}

async function openBody(
  pending: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  offset: number,
): Promise<{ body: AsyncIterable<Uint8Array>; response: Response; start: number; size: number | undefined }> {
  const result = await pending;
  const { response } = result;
  if (!response.ok) {
    await unwrap(Promise.resolve(result), TaskRefGate);
  }
  const body = result.data as ReadableStream<Uint8Array>;
  if (response.status === 206) {
    const match = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get("content-range") ?? "");
    const start = match ? Number(match[1]) : Number.NaN;
    if (start !== offset) {
      await body.cancel();
      throw new ScpResponseError({
        ...responseInfo(response),
        status: 206,
        issues: [{ path: ["Content-Range"], message: `expected start ${offset}` }],
      });
    }
    const size = match?.[3] === "*" ? undefined : Number(match?.[3]);
    return { body: body as unknown as AsyncIterable<Uint8Array>, response, start, size };
  }
  const length = response.headers.get("content-length");
  return {
    body: body as unknown as AsyncIterable<Uint8Array>,
    response,
    start: 0,
    size: length === null ? undefined : Number(length),
  };
}
