import type { Socket } from "node:net";
import type { ScpTlsOptions } from "../options.js";
import type { Outgoing } from "./call-context.js";
import { ChunkPool } from "./chunk-loans.js";
import { type BodyFramer, bodyFraming, headEnd, parseResponseHead } from "./http1-body.js";
import { openSocket, requestHead } from "./own-socket.js";
import { NULL_BODY } from "./read-body.js";
import { sendBody } from "./send-body.js";

/**
 * Size of the chunks a download's body is handed on in: few enough (4,096 a GiB) that the web stream costs nothing
 * per byte, small enough to come from the allocator's heap rather than fresh pages.
 */
const CHUNK_BYTES = 256 * 1024;

/** The buffer reads past the body's end go to, discarded (TLS records decrypted after a failure). */
const SCRATCH_BYTES = 16 * 1024;

/** Chunks queued ahead of the reader before the socket pauses. */
const QUEUED_CHUNKS = 8;

/** Most chunks a download keeps for reuse. */
const SPARE_CHUNKS = 32;

/** A connection that ended before the body did. */
class BodyCutError extends Error {
  readonly code = "ECONNRESET";
}

/**
 * Sends an image download's GET, or an image upload's PUT, on a connection of its own. A download's body comes as a
 * stream of 256 KiB chunks lent to the reader (see {@link ChunkPool}), which the socket decrypts straight into (Node's
 * `onread`): only the head and a chunked body's framing cost a copy. An upload's file buffers are given back as the
 * socket writes them (see {@link sendBody}). undici's `request` makes a buffer per TLS record, a Node stream and a web
 * stream over it, and reads a file into fresh buffers. At 1 GiB the client peaked at 106–111 MiB of RSS this way
 * (123–136 before), and a 1 GiB upload took 1.3–1.5 s of client CPU (1.8–2.6 s). HTTP/1.1 only, `Connection: close`;
 * the caller decides when it applies (no proxy, dispatcher or fetch of the caller's own).
 * @internal
 */
export function sendOnOwnConnection(
  request: Outgoing,
  signal: AbortSignal | undefined,
  tls: ScpTlsOptions | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    new OwnConnection(request, signal, tls, resolve, reject);
  });
}

class OwnConnection {
  readonly #socket: Socket;
  readonly #signal: AbortSignal | undefined;
  readonly #resolve: (response: Response) => void;
  readonly #reject: (error: unknown) => void;
  #head: Buffer | undefined = Buffer.alloc(0);
  #framer: BodyFramer | undefined;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly #chunks = new ChunkPool(CHUNK_BYTES, SPARE_CHUNKS);
  #chunk: Buffer = this.#chunks.take();
  #filled = 0;
  #scratch: Buffer | undefined;
  #paused = false;
  #done = false;
  #failure: { error: unknown } | undefined;
  #stopBody: (() => void) | undefined;
  /** True once the caller has the Response: a failure then goes to its body, not to the promise. */
  #answered = false;

  constructor(
    request: Outgoing,
    signal: AbortSignal | undefined,
    tls: ScpTlsOptions | undefined,
    resolve: (response: Response) => void,
    reject: (error: unknown) => void,
  ) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    // Each read goes where its bytes belong: the free end of the chunk being filled (asked for again after each).
    const onread = { buffer: () => this.#nextRead(), callback: (n: number, buf: Buffer) => this.#read(buf, n) };
    this.#socket = openSocket(request.url, tls, onread, (error) => this.#fail(error));
    this.#socket.on("error", (error) => this.#fail(error));
    this.#socket.on("close", () => this.#closed());
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#socket.write(requestHead(request));
    if (request.source) {
      this.#stopBody = sendBody(this.#socket, request.source, (error) => this.#fail(error));
    }
  }

  readonly #onAbort = () => this.#fail(this.#signal?.reason);

  /**
   * Where the socket's next read goes: the free end of the chunk being filled, or, once the body is done with, a
   * scratch buffer. A TLS socket goes on decrypting the records it already has after a failure in `#read` (even
   * destroyed), and those must not land on bytes already handed to the reader.
   */
  #nextRead(): Buffer {
    if (this.#done) {
      this.#scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
      return this.#scratch;
    }
    return this.#chunk.subarray(this.#filled);
  }

  /** The socket's `onread`: `n` bytes in `buf`, the buffer `#nextRead` gave. False pauses the socket. */
  #read(buf: Buffer, n: number): boolean {
    if (this.#done) {
      return false;
    }
    try {
      let bytes = buf.subarray(0, n);
      while (this.#head !== undefined) {
        const head = Buffer.concat([this.#head, bytes]);
        const end = headEnd(head);
        if (end < 0) {
          this.#head = head;
          return true;
        }
        const parsed = parseResponseHead(head.toString("latin1", 0, end));
        bytes = head.subarray(end);
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        this.#head = parsed.status < 200 ? Buffer.alloc(0) : undefined;
        if (this.#head === undefined && !this.#answer(parsed)) {
          return false;
        }
      }
      const whole = (this.#framer as BodyFramer).feed(bytes, this.#append);
      if (whole) {
        this.#finish();
        return false;
      }
      this.#paused = (this.#controller?.desiredSize ?? 1) <= 0;
      return !this.#paused;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  /** Answers the caller once the head is in; false when there is no body to read. */
  #answer(head: ReturnType<typeof parseResponseHead>): boolean {
    // An answer ends the request: a server that answers before the whole body is sent (401, 413) reads no more.
    this.#stopBody?.();
    if (NULL_BODY.has(head.status)) {
      this.#resolve(new Response(null, { status: head.status, headers: head.headers }));
      this.#done = true;
      this.#release();
      return false;
    }
    this.#framer = bodyFraming(head);
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          this.#errorWhenRead();
          if (this.#paused && !this.#done) {
            this.#paused = false;
            this.#socket.resume();
          }
        },
        cancel: () => {
          this.#done = true;
          this.#release();
        },
      },
      { highWaterMark: QUEUED_CHUNKS },
    );
    this.#resolve(new Response(body, { status: head.status, headers: head.headers }));
    this.#answered = true;
    return true;
  }

  /**
   * Takes body content into the current chunk, handing on each chunk as it fills. Content the socket decrypted into
   * the chunk's free end is in place already; any other (the bytes after a head, data between a chunked body's size
   * lines) is copied there.
   */
  readonly #append = (part: Buffer): void => {
    let at = 0;
    while (at < part.byteLength) {
      const take = Math.min(CHUNK_BYTES - this.#filled, part.byteLength - at);
      const chunk = this.#chunk;
      if (part.buffer !== chunk.buffer || part.byteOffset + at !== chunk.byteOffset + this.#filled) {
        part.copy(chunk, this.#filled, at, at + take);
      }
      this.#filled += take;
      at += take;
      if (this.#filled === CHUNK_BYTES) {
        // Back once the reader has it on the disk (image downloads do), to be filled again.
        this.#chunks.lend(chunk);
        this.#controller?.enqueue(chunk);
        this.#chunk = this.#chunks.take();
        this.#filled = 0;
      }
    }
  };

  #finish(): void {
    if (this.#filled > 0) {
      this.#controller?.enqueue(this.#chunk.subarray(0, this.#filled));
    }
    this.#done = true;
    this.#controller?.close();
    this.#release();
  }

  #closed(): void {
    if (this.#done) {
      return;
    }
    if (this.#framer?.endsWithConnection) {
      this.#finish();
      return;
    }
    const where = this.#framer ? "before the body's end" : "before an answer";
    this.#fail(new BodyCutError(`the connection closed ${where}`));
  }

  /**
   * Ends the download with `error`. The reader still gets every byte that arrived (the chunk being filled
   * included), then the error: a resume starts where the bytes stopped.
   */
  #fail(error: unknown): void {
    if (this.#done) {
      return;
    }
    this.#done = true;
    this.#release();
    if (!this.#answered) {
      this.#reject(error);
      return;
    }
    if (this.#filled > 0) {
      this.#controller?.enqueue(this.#chunk.subarray(0, this.#filled));
      this.#filled = 0;
    }
    this.#failure = { error };
    this.#errorWhenRead();
  }

  /** Errors the stream once its reader has taken every queued chunk (an error would drop them). */
  #errorWhenRead(): void {
    if (this.#failure && (this.#controller?.desiredSize ?? 0) >= QUEUED_CHUNKS) {
      this.#controller?.error(this.#failure.error);
    }
  }

  #release(): void {
    this.#stopBody?.();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#socket.destroy();
  }
}
