import { createHash, type Hash } from "node:crypto";
import { type Called, callError, unwrapStreamed } from "../transport/unwrap.js";

/** How far a download got, across resumes. @internal */
export interface Progress {
  hash: Hash;
  offset: number;
  total: number | undefined;
  /** The strong `ETag` of the file the bytes so far are of, sent back as `If-Range`. */
  etag: string | undefined;
}

/** Errors that asking the server again would not help: the sink's (a full disk), an answer not of this file. */
const finalErrors = new WeakSet<object>();

/** Marks `error` as one no resume can heal, and throws it (a thrown non-object as an Error, so it can be marked). @internal */
export function notResumable(error: unknown): never {
  const marked = typeof error === "object" && error !== null ? error : new Error(String(error), { cause: error });
  finalErrors.add(marked);
  throw marked;
}

/** True for an error marked by {@link notResumable}. @internal */
export function isFinal(error: unknown): boolean {
  return typeof error === "object" && error !== null && finalErrors.has(error);
}

/**
 * One attempt's answer, placed against what the download has. An answer from byte 0 after a cut (a server that
 * ignores `Range` or whose file no longer has the `If-Range` ETag, or a 206 from the start) repeats bytes already
 * written: they are hashed on their own and must match, else the file changed between answers. An answer that starts
 * elsewhere than 0 or the offset, gives the file another size or ETag, or runs past its size fails for good: asked
 * again, the server would answer the same.
 * @internal
 */
export class Answer {
  readonly body: ReadableStream<Uint8Array>;
  readonly #called: Called;
  readonly #progress: Progress;
  /** Bytes still to skip, and the SHA-256 they must have, with theirs so far. */
  #skip: number;
  readonly #repeat: { expected: string; hash: Hash } | undefined;

  private constructor(called: Called, body: ReadableStream<Uint8Array>, progress: Progress, start: number) {
    this.#called = called;
    this.body = body;
    this.#progress = progress;
    this.#skip = progress.offset - start;
    this.#repeat =
      this.#skip > 0 ? { expected: progress.hash.copy().digest("hex"), hash: createHash("sha256") } : undefined;
  }

  /** Checks the answer's status, where it starts and the size it gives; cancels the body of one refused. */
  static async open(called: Called, progress: Progress): Promise<Answer> {
    // An empty body (a 0-byte image) may come as no body at all.
    const body = (called.data as ReadableStream<Uint8Array> | null | undefined) ?? emptyBody();
    if (progress.total === undefined && isAtEnd(called.response, progress.offset)) {
      // A body of unknown length cut after its last byte: the resume asked for the bytes past the end.
      await body.cancel().catch(() => undefined);
      progress.total = progress.offset;
      return new Answer(called, emptyBody(), progress, progress.offset);
    }
    unwrapStreamed(called);
    const { start, size, field } = placed(called.response);
    const etag = strongEtag(called.response);
    const problem = refusal(progress, { start, size, etag });
    if (problem !== undefined) {
      await body.cancel().catch(() => undefined);
      notResumable(callError(called, problem.message, [problem.ofEtag ? "ETag" : field]));
    }
    progress.total = size ?? progress.total;
    if (start === 0) {
      // The whole file, from its start: its ETag (if the repeated bytes check out) is the one to resume with.
      progress.etag = etag;
    }
    return new Answer(called, body, progress, start);
  }

  /** The part of `chunk` that is new; checks the repeated part, and that nothing runs past the file's size. */
  fresh(chunk: Uint8Array): Uint8Array {
    let part = chunk;
    if (this.#repeat && this.#skip > 0) {
      const repeated = Math.min(this.#skip, chunk.byteLength);
      this.#repeat.hash.update(chunk.subarray(0, repeated));
      this.#skip -= repeated;
      part = chunk.subarray(repeated);
      if (this.#skip === 0 && this.#repeat.hash.digest("hex") !== this.#repeat.expected) {
        const message = `the image changed between answers: its first ${this.#progress.offset} bytes differ`;
        notResumable(callError(this.#called, message));
      }
    }
    const { offset, total } = this.#progress;
    if (total !== undefined && offset + part.byteLength > total) {
      notResumable(callError(this.#called, `the answer runs past the image's ${total} bytes`));
    }
    return part;
  }

  /** Checks a body that ended: it reached the bytes already written, and the file's size when known. */
  end(): void {
    const { offset, total } = this.#progress;
    if (this.#skip > 0) {
      notResumable(callError(this.#called, `the answer ended before byte ${offset}, which was received already`));
    }
    if (total !== undefined && offset !== total) {
      throw callError(this.#called, `body ended at byte ${offset} of ${total}`);
    }
  }
}

/** Why an answer is not of the file the download has (`ofEtag` when its ETag says so), or undefined. */
function refusal(
  { offset, total, etag: known }: Progress,
  { start, size, etag }: { start: number; size: number | undefined; etag: string | undefined },
): { message: string; ofEtag?: true } | undefined {
  if (Number.isNaN(start)) {
    return { message: "a 206 must say where its bytes start" };
  }
  if (start !== 0 && start !== offset) {
    return { message: `expected start ${offset} (or 0)` };
  }
  if (size !== undefined && total !== undefined && size !== total) {
    return { message: `the image is ${size} bytes in this answer, ${total} in an earlier one` };
  }
  if (size !== undefined && size < offset) {
    return { message: `the image is ${size} bytes in this answer, but ${offset} were received already` };
  }
  if (start !== 0 && etag !== undefined && known !== undefined && etag !== known) {
    return { message: `the image's ETag is ${etag} in this answer, ${known} in an earlier one`, ofEtag: true };
  }
  return undefined;
}

/** True for a 416 whose Content-Range says the file ends at `offset`, once bytes were received. */
function isAtEnd(response: Response, offset: number): boolean {
  const range = response.headers.get("content-range");
  return response.status === 416 && offset > 0 && range?.trim() === `bytes */${offset}`;
}

/** The answer's `ETag` when it is a strong one (`If-Range` takes no weak one). */
function strongEtag(response: Response): string | undefined {
  const etag = response.headers.get("etag")?.trim();
  return etag && !etag.startsWith("W/") ? etag : undefined;
}

/** Where an answer's bytes start in the file (NaN when a 206 does not say), the file's size, and the header. */
function placed(response: Response): { start: number; size: number | undefined; field: string } {
  if (response.status === 206) {
    const match = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get("content-range") ?? "");
    const size = match?.[3] === undefined || match[3] === "*" ? undefined : Number(match[3]);
    return { start: match ? Number(match[1]) : Number.NaN, size, field: "Content-Range" };
  }
  const length = response.headers.get("content-length");
  return { start: 0, size: length === null ? undefined : Number(length), field: "Content-Length" };
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
