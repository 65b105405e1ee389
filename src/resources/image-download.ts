import { createHash } from "node:crypto";
import { ScpApiError } from "../errors/api.js";
import { ScpError } from "../errors/base.js";
import { abortable } from "../sleep.js";
import { giveBackChunk } from "../transport/chunk-loans.js";
import type { Transport } from "../transport/create-transport.js";
import { bodyError, type Called } from "../transport/unwrap.js";
import { Answer, isFinal, notResumable, type Progress } from "./download-answer.js";
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

async function openSink(target: DownloadTarget, signal: AbortSignal | undefined): Promise<Sink> {
  if ("file" in target) {
    return openFileSink(target.file, target.directIo ?? true);
  }
  const writer = target.stream.getWriter();
  return {
    write: async (chunk) => {
      // Backpressure through `ready`, which a target that never takes its chunk holds for good: the caller's
      // signal ends that wait. A failed write errors the stream, and `ready` or `close` reports it.
      await abortable(writer.ready, signal);
      writer.write(chunk).catch(() => undefined);
    },
    close: () => writer.close(),
    // Not waited for: an abort waits for the write under way, which a stuck target never ends.
    fail: async (error) => void writer.abort(error).catch(() => undefined),
  };
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
  const sink = await openSink(target, options.signal);
  const progress: Progress = { hash: createHash("sha256"), offset: 0, total: undefined, etag: undefined };
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
            header: progress.offset > 0 ? resumeHeaders(progress) : {},
          },
          parseAs: "stream",
          ...init,
        }),
      { ...requestPart(options), signal: combineSignals(options.signal, watchdog.signal) },
      { streamResponse: true, ...overrides },
    );
    const answer = await Answer.open(called, progress);
    let moved = false;
    try {
      for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
        watchdog.touch();
        const fresh = answer.fresh(chunk);
        if (fresh.byteLength === 0) {
          giveBackChunk(chunk);
          continue;
        }
        // Hashed first: once written, the chunk may go back to the connection to be filled again.
        progress.hash.update(fresh);
        // The disk's or the stream target's pace is not the server's: no idle time while a write waits.
        const resume = watchdog.hold();
        await sink
          .write(fresh, () => giveBackChunk(chunk))
          .catch(notResumable)
          .finally(resume);
        progress.offset += fresh.byteLength;
        moved = true;
        report(options, progress);
      }
    } catch (error) {
      throw typed(called, error, options.signal);
    }
    answer.end();
    if (!moved) {
      // Nothing new came (a 0-byte image, or a 416 that says the file ended): the total may be new.
      report(options, progress);
    }
  } finally {
    watchdog.stop();
  }
}

/** A resume's headers: the bytes from the offset on, while the file still has the ETag they were of. */
function resumeHeaders({ offset, etag }: Progress): { Range: string; "If-Range"?: string } {
  return etag === undefined ? { Range: `bytes=${offset}-` } : { Range: `bytes=${offset}-`, "If-Range": etag };
}

/** Calls the caller's `onProgress`; an error it throws ends the download as it is (no resume). */
function report(options: DownloadOptions, progress: Progress): void {
  try {
    options.onProgress?.(progress.offset, progress.total);
  } catch (error) {
    notResumable(error);
  }
}

/**
 * An error thrown while the body was read, as the caller gets it: the SDK's own errors, the sink's, the caller's
 * and an abort's reason as they are; anything else (a cut, a malformed body) as the call's ScpNetworkError.
 */
function typed(called: Called, error: unknown, signal: AbortSignal | undefined): unknown {
  return error instanceof ScpError || isFinal(error) || signal?.aborted ? error : bodyError(called, error);
}

// A refused request (4xx) will be refused again; a drop, a stall, a 5xx or a short body may succeed on resume.
function isResumable(error: unknown): boolean {
  return !isFinal(error) && !(error instanceof ScpApiError && error.status < 500);
}
