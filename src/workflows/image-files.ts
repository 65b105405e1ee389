import { access, constants, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ScpValidationError } from "../errors/call.js";

/** A progress event of an image workflow: which part of the transfer, and how far it is. */
export interface ImageProgress {
  /** `hash` reads the file for its SHA-256, `download` and `upload` move it. */
  phase: "hash" | "download" | "upload";
  /** Bytes done so far in this phase. */
  doneBytes: number;
  /** Bytes in all, when known. */
  totalBytes: number | undefined;
}

/**
 * Reports one phase's byte counts as {@link ImageProgress} events, and ends with an event at 100% (the transfer's
 * own callback may stop short of it). The callbacks are for `scp.images.download`/`upload`'s `onProgress`.
 * @internal
 */
export function phaseProgress(phase: ImageProgress["phase"], report: ((event: ImageProgress) => void) | undefined) {
  let last: ImageProgress | undefined;
  const emit = (doneBytes: number, totalBytes: number | undefined) => {
    last = { phase, doneBytes, totalBytes };
    report?.(last);
  };
  return {
    /** For the transfer's `onProgress` (absent when nobody listens). */
    transfer: report ? { onProgress: emit } : {},
    /** The final event, once the phase moved `sizeBytes`. */
    finish(sizeBytes: number): void {
      if (last?.doneBytes !== sizeBytes || last.totalBytes !== sizeBytes) {
        emit(sizeBytes, sizeBytes);
      }
    },
  };
}

function refuse(subject: string, path: string, message: string): never {
  throw new ScpValidationError({ subject, issues: [{ path: [path], message }] });
}

/**
 * Makes sure a directory exists (creating it), is a directory and is writable, before anything is sent.
 * @throws {@link ScpValidationError} naming `field` otherwise.
 * @internal
 */
export async function usableDirectory(dir: string, subject: string, field: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch(() => undefined);
  const info = await stat(dir).catch(() => refuse(subject, field, `${dir} does not exist and cannot be created`));
  if (!info.isDirectory()) {
    refuse(subject, field, `${dir} is not a directory`);
  }
  await access(dir, constants.W_OK).catch(() => refuse(subject, field, `${dir} is not writable`));
}

/**
 * Makes sure a file can be written: its directory is usable and the path is not a directory.
 * @throws {@link ScpValidationError} naming `field` otherwise.
 * @internal
 */
export async function writableFile(file: string, subject: string, field: string): Promise<void> {
  await usableDirectory(dirname(file), subject, field);
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    refuse(subject, field, `${file} is a directory`);
  }
}

/**
 * Makes sure a file can be read, and returns its size.
 * @throws {@link ScpValidationError} naming `field` otherwise.
 * @internal
 */
export async function readableFile(file: string, subject: string, field: string): Promise<number> {
  const info = await stat(file).catch(() => refuse(subject, field, `${file} does not exist or cannot be read`));
  if (!info.isFile()) {
    refuse(subject, field, `${file} is not a file`);
  }
  await access(file, constants.R_OK).catch(() => refuse(subject, field, `${file} cannot be read`));
  return info.size;
}
