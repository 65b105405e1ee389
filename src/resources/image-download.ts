import { createHash, type Hash } from "node:crypto";
import { ScpApiError } from "../errors/api.js";
import { giveBackChunk } from "../transport/chunk-loans.js";
import type { Transport } from "../transport/create-transport.js";
import { type Called, callError, unwrapStreamed } from "../transport/unwrap.js";
import { openFileSink } from "./file-sink.js";
import { combineSignals, transferWatchdog } from "./idle-watchdog.js";
import type { DownloadOptions, DownloadResult, DownloadTarget } from "./image-transfer.js";
import { requestPart } from "./image-upload.js";

const DOWNLOAD = "/janus/20240725/images/{image_id}/download";

/** Where downloaded bytes go, in order, each once. */
interface Sink {
  /** `written` is called once the sink no longer needs the chunk (a file's; a stream target may keep chunks). */
  write(chunk: Uint8Array, written?: () => void): Promise<void>;
  /** Finishes a complete download. */
  close(): Promise<void>;
  /** Ends a failed download: a stream target is aborted (never closed as if whole), a file is removed. */
  fail(error: unknown): Promise<void>;
}

async function openSink(target: DownloadTarget): Promise<Sink> {
  if ("file" in target) {
    return openFileSink(target.file, target.directIo ?? true);
  }
  const writer = target.stream.getWriter();
  return {
    write: async (chunk) => {
      // Backpressure through `ready`; a failed write errors the stream, and `ready` or `close` reports it.
      await writer.ready;
      writer.write(chunk).catch(() => undefined);
    },
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
        await sink.close().catch(notResumable);
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
  const { watchdog, overrides } = transferWatchdog("GET", path, idleMs);
  watchdog.touch();
  try {
    const called = await transport.send(
      (init) =>
        transport.http.GET(DOWNLOAD, {
          params: {
            path: { image_id: imageId },
            header: progress.offset > 0 ? { Range: `bytes=${progress.offset}-` } : {},
          },
          parseAs: "stream",
          ...init,
        }),
      { ...requestPart(options), signal: combineSignals(options.signal, watchdog.signal) },
      { streamResponse: true, ...overrides },
    );
    const { body, start, size } = await openBody(called, progress);
    progress.total = size ?? progress.total;
    // Bytes the answer repeats (a server that ignores Range sends the whole file again): received, not kept.
    let skip = progress.offset - start;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      watchdog.touch();
      const fresh = skip > 0 ? chunk.subarray(Math.min(skip, chunk.byteLength)) : chunk;
      skip -= chunk.byteLength - fresh.byteLength;
      if (fresh.byteLength === 0) {
        giveBackChunk(chunk);
        continue;
      }
      // Hashed first: once written, the chunk may go back to the connection to be filled again.
      progress.hash.update(fresh);
      await sink.write(fresh, () => giveBackChunk(chunk)).catch(notResumable);
      progress.offset += fresh.byteLength;
      options.onProgress?.(progress.offset, progress.total);
    }
    if (skip > 0) {
      // A body of unknown length that ends before the bytes already written: not the same file.
      notResumable(callError(called, `the answer ended before byte ${progress.offset}, which was written already`));
    }
    if (progress.total !== undefined && progress.offset !== progress.total) {
      throw callError(called, `body ended at byte ${progress.offset} of ${progress.total}`);
    }
  } finally {
    watchdog.stop();
  }
}

/** Errors that asking the server again would not help: the sink's (a full disk, an I/O error), a wrong range. */
const finalErrors = new WeakSet<object>();

function notResumable(error: unknown): never {
  if (typeof error === "object" && error !== null) {
    finalErrors.add(error);
  }
  throw error;
}

// A refused request (4xx) will be refused again; a drop, a stall, a 5xx or a short body may succeed on resume.
function isResumable(error: unknown): boolean {
  if (typeof error === "object" && error !== null && finalErrors.has(error)) {
    return false;
  }
  return !(error instanceof ScpApiError && error.status < 500);
}

/**
 * The answer's body, the byte of the file it starts at and the file's size when given. An answer that starts past
 * `progress.offset` (a gap) or gives another size than an earlier answer (another file) fails for good: asked
 * again, the server would answer the same. One that starts before it (a 200 to a Range) is taken, its repeated
 * bytes skipped.
 */
async function openBody(
  called: Called,
  progress: Progress,
): Promise<{ body: ReadableStream<Uint8Array>; start: number; size: number | undefined }> {
  unwrapStreamed(called);
  const { response } = called;
  // An empty body (a 0-byte image) may come as no body at all.
  const body = (called.data as ReadableStream<Uint8Array> | null | undefined) ?? emptyBody();
  const { start, size } = answered(response);
  const refuse = async (problem: string, field: string) => {
    await body.cancel().catch(() => undefined);
    notResumable(callError(called, problem, [field]));
  };
  if (!(start <= progress.offset)) {
    await refuse(`expected start ${progress.offset} or before`, "Content-Range");
  }
  const earlier = progress.total ?? progress.offset;
  if (size !== undefined && (size !== (progress.total ?? size) || size < progress.offset)) {
    const field = response.status === 206 ? "Content-Range" : "Content-Length";
    await refuse(`the image is ${size} bytes in this answer, ${earlier} in an earlier one`, field);
  }
  return { body, start, size };
}

/** Where an answer's bytes start in the file (NaN when a 206 does not say), and the file's size when it says. */
function answered(response: Response): { start: number; size: number | undefined } {
  if (response.status === 206) {
    const match = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get("content-range") ?? "");
    const size = match?.[3] === undefined || match[3] === "*" ? undefined : Number(match[3]);
    return { start: match ? Number(match[1]) : Number.NaN, size };
  }
  const length = response.headers.get("content-length");
  return { start: 0, size: length === null ? undefined : Number(length) };
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
