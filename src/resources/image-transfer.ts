import { Readable } from "node:stream";
import { z } from "zod";
import { DurationSchema, parseInput } from "../validate.js";
import type { RequestOptions } from "./request-options.js";

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

const path = z.string().min(1, "must be a file path").max(4096);
const readable = z.custom<ReadableStream | NodeJS.ReadableStream>(
  (v) => v instanceof ReadableStream || v instanceof Readable,
  "must be a web ReadableStream or a Node readable stream",
);

const UploadSourceSchema = z.union([
  z.strictObject({
    file: path,
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex")
      .optional(),
  }),
  z.strictObject({ stream: readable }),
]);

const DownloadTargetSchema = z.union([
  z.strictObject({ file: path }),
  z.strictObject({ stream: z.instanceof(WritableStream, { message: "must be a web WritableStream" }) }),
]);

const TransferOptionsSchema = z.looseObject({
  onProgress: z.function().optional(),
  idleTimeoutMs: DurationSchema.optional(),
  maxResumes: z.number().int().min(0).max(1000).optional(),
});

/**
 * Checks an upload's source and options before anything is sent.
 * @throws {@link ScpValidationError}
 * @internal
 */
export function parseUpload(from: UploadSource, options: TransferOptions): void {
  parseInput(UploadSourceSchema, from, "upload source");
  parseInput(TransferOptionsSchema, options, "upload options");
}

/**
 * Checks a download's target and options before anything is sent.
 * @throws {@link ScpValidationError}
 * @internal
 */
export function parseDownload(to: DownloadTarget, options: DownloadOptions): void {
  parseInput(DownloadTargetSchema, to, "download target");
  parseInput(TransferOptionsSchema, options, "download options");
}
