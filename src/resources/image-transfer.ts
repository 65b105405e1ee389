import { access, constants, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { z } from "zod";
import { ScpValidationError } from "../errors/call.js";
import { RequestOptionsSchema } from "../resolve-options.js";
import { DurationSchema, parseInput } from "../validate.js";
import type { RequestOptions } from "./request-options.js";

/** Options of a streamed transfer. */
export interface TransferOptions extends RequestOptions {
  /** Called as bytes move, with the bytes done so far and the total when known. */
  onProgress?: (doneBytes: number, totalBytes: number | undefined) => void;
  /**
   * Fail (or, for downloads, resume) when no byte moves for this long; a stall shows within 1.25 times it. A
   * download sees each 256 KiB it receives. An upload sees each 2 MiB piece of its file it reads and, on the SDK's
   * own connection, its bytes leaving the socket's queue; on Linux also the server acknowledging the ones the
   * system holds, which elsewhere must reach it within this time once the file is read (as must, everywhere, the
   * answer once the server has them all). Through an HTTP proxy, an upload sees only the pieces: on a link slower
   * than about 2 MiB per this time, give it a longer one. Waits between attempts and for a login do not count,
   * nor, for a download, the time its file or stream target takes to accept a chunk (a target that never does
   * holds the download until the caller's `signal` aborts).
   * @defaultValue the client's `timeoutMs`
   */
  idleTimeoutMs?: number;
}

/** Options of a download. */
export interface DownloadOptions extends TransferOptions {
  /**
   * How many times a dropped download resumes with `Range`, and with `If-Range` when the first answer had a strong
   * `ETag` (a server whose file changed then sends it whole). An answer with the whole file repeats the bytes
   * already written: they are checked against them (SHA-256) and skipped, and other bytes fail the download. So
   * does an answer that gives another size or ETag, or runs past the size. Without an ETag, a resume answered from
   * its offset is taken as it comes.
   * @defaultValue 5
   */
  maxResumes?: number;
}

/** Where an upload reads from: a file (reopened per attempt) or a stream (first copied to a temporary file). */
export type UploadSource =
  | { file: string; sha256?: string }
  | { stream: ReadableStream<Uint8Array> | NodeJS.ReadableStream };

/**
 * Where a download writes to: a file (created or truncated) or a writable stream. A file is written with direct I/O
 * (`O_DIRECT`, around the page cache) where the platform and its file system allow it, and with ordinary writes
 * otherwise; `directIo: false` always writes through the page cache, which suits a file read again right away.
 */
export type DownloadTarget = { file: string; directIo?: boolean } | { stream: WritableStream<Uint8Array> };

/** What a download produced. */
export interface DownloadResult {
  /** Bytes written. */
  sizeBytes: number;
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
  /** How many times the download resumed after a dropped connection. */
  resumes: number;
}

const path = z.string().min(1, "must be a file path").max(4096);
const readable = z.custom<ReadableStream | NodeJS.ReadableStream>(
  (v) => v instanceof ReadableStream || v instanceof Readable,
  "must be a web ReadableStream or a Node readable stream",
);

const UploadSourceSchemas = {
  file: z.strictObject({
    file: path,
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex")
      .optional(),
  }),
  stream: z.strictObject({ stream: readable }),
};

const DownloadTargetSchemas = {
  file: z.strictObject({ file: path, directIo: z.boolean().optional() }),
  stream: z.strictObject({ stream: z.instanceof(WritableStream, { message: "must be a web WritableStream" }) }),
};

/** The schema for a file (a value with a `file` key), else for a stream: an error then names the field at fault. */
function fileOrStream<F extends z.ZodType, S extends z.ZodType>(
  schemas: { file: F; stream: S },
  value: unknown,
): F | S {
  return typeof value === "object" && value !== null && "file" in value ? schemas.file : schemas.stream;
}

// The call's own options are checked here too: a stream source is spooled (with the signal) before any request.
const TransferOptionsSchema = RequestOptionsSchema.extend({
  onProgress: z.function().optional(),
  idleTimeoutMs: DurationSchema.optional(),
  maxResumes: z.number().int().min(0).max(1000).optional(),
});

function refuseFile(subject: string, message: string): never {
  throw new ScpValidationError({ subject, issues: [{ path: ["file"], message }] });
}

/**
 * Checks an upload's source (a file must be a readable regular file) and options before anything is sent.
 * @throws {@link ScpValidationError}
 * @internal
 */
export async function parseUpload(from: UploadSource, options: TransferOptions): Promise<void> {
  parseInput(fileOrStream(UploadSourceSchemas, from), from, "upload source");
  parseInput(TransferOptionsSchema, options, "upload options");
  if ("file" in from) {
    const info = await stat(from.file).catch((e: NodeJS.ErrnoException) =>
      refuseFile("upload source", `${from.file} cannot be read (${e.code ?? "error"})`),
    );
    if (!info.isFile()) {
      refuseFile("upload source", `${from.file} is not a regular file`);
    }
    await access(from.file, constants.R_OK).catch(() => refuseFile("upload source", `${from.file} is not readable`));
  }
}

/**
 * Checks a download's target (a file's directory must be writable) and options before anything is sent.
 * @throws {@link ScpValidationError}
 * @internal
 */
export async function parseDownload(to: DownloadTarget, options: DownloadOptions): Promise<void> {
  parseInput(fileOrStream(DownloadTargetSchemas, to), to, "download target");
  parseInput(TransferOptionsSchema, options, "download options");
  if ("file" in to) {
    const info = await stat(to.file).catch(() => undefined);
    if (info?.isDirectory()) {
      refuseFile("download target", `${to.file} is a directory`);
    }
    await access(dirname(to.file), constants.W_OK).catch(() =>
      refuseFile("download target", `the directory of ${to.file} does not exist or is not writable`),
    );
  }
}
