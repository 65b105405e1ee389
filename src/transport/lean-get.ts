import { isIP, connect as netConnect, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type { ScpTlsOptions } from "../options.js";
import type { Outgoing } from "./call-context.js";
import { type BodyFramer, bodyFraming, headEnd, parseResponseHead } from "./http1-body.js";
import { NULL_BODY } from "./read-body.js";
import { tlsConnectOptions } from "./tls-options.js";

/**
 * Size of the chunks a download's body is handed on in: few enough (4,096 a GiB) that the web stream costs nothing
 * per byte, small enough to come from the allocator's heap rather than fresh pages.
 */
const CHUNK_BYTES = 256 * 1024;

/** The one buffer the socket decrypts into (Node's `onread`): no allocation per read. */
const READ_BYTES = 256 * 1024;

/** Chunks queued ahead of the reader before the socket pauses. */
const QUEUED_CHUNKS = 8;

/** Most chunks a body keeps for reuse. */
const SPARE_CHUNKS = 32;

/** What a body's reader calls to give a chunk back once nothing reads it any more. */
const recyclers = new WeakMap<ReadableStream<Uint8Array>, (chunk: Uint8Array) => void>();

/**
 * Gives `chunk`, read from `body`, back for reuse: the caller promises that nothing reads or keeps it any more.
 * Without it the body allocates a fresh chunk each time: correct, but every page of a fresh chunk faults in (on a
 * VM that had handed its free memory back to the host, that cost more CPU than the copy into it). Does nothing for
 * a body that is not a download's of the SDK's own connection.
 * @internal
 */
export function recycleChunk(body: unknown, chunk: Uint8Array): void {
  recyclers.get(body as ReadableStream<Uint8Array>)?.(chunk);
}

/** A connection that ended before the body did. @internal */
export class BodyCutError extends Error {
  readonly code = "ECONNRESET";
}

/**
 * Sends a download's GET on a connection of its own and answers with its body as a stream of 256 KiB chunks. The
 * socket decrypts into one reused buffer and the body is copied once, into a chunk that comes back for reuse once
 * written (see {@link recycleChunk}); undici's `request` makes a buffer per TLS record, a Node stream and a web
 * stream over it. A 1 GiB download's client peaked at 106–111 MiB of RSS this way, against 123–136 MiB.
 * HTTP/1.1 only, `Connection: close`; the caller decides when it applies (no proxy, dispatcher or fetch of the
 * caller's own).
 * @internal
 */
export function sendLeanGet(
  request: Outgoing,
  signal: AbortSignal | undefined,
  tls: ScpTlsOptions | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    new LeanGet(request, signal, tls, resolve, reject);
  });
}

class LeanGet {
  readonly #socket: Socket;
  readonly #signal: AbortSignal | undefined;
  readonly #resolve: (response: Response) => void;
  readonly #reject: (error: unknown) => void;
  #head: Buffer | undefined = Buffer.alloc(0);
  #framer: BodyFramer | undefined;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly #spare: Buffer[] = [];
  /** Full chunks handed on and not given back: only these may come back, once each. */
  readonly #lent = new Set<Uint8Array>();
  #chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #filled = 0;
  #paused = false;
  #done = false;
  #failure: { error: unknown } | undefined;

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
    const { url } = request;
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const onread = { buffer: Buffer.allocUnsafe(READ_BYTES), callback: (n: number, buf: Buffer) => this.#read(buf, n) };
    this.#socket =
      url.protocol === "https:"
        ? tlsConnect({
            host,
            port: Number(url.port || 443),
            ...(isIP(host) ? {} : { servername: host }),
            ...tlsConnectOptions(tls),
            ALPNProtocols: ["http/1.1"],
            // Node's tls.connect takes `onread` as net.connect does (its types leave it out).
            ...({ onread } as ConnectionOptions),
          })
        : netConnect({ host, port: Number(url.port || 80), onread });
    this.#socket.on("error", (error) => this.#fail(error));
    this.#socket.on("close", () => this.#closed());
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#socket.write(requestHead(request));
  }

  readonly #onAbort = () => this.#fail(this.#signal?.reason);

  /** The socket's `onread`: `buf` is reused after this returns. False pauses the socket. */
  #read(buf: Buffer, n: number): boolean {
    try {
      let bytes = buf.subarray(0, n);
      while (this.#head !== undefined) {
        const head = Buffer.concat([this.#head, bytes]);
        const end = headEnd(head);
        if (end < 0) {
          this.#head = head;
          return true;
        }
        const parsed = parseResponseHead(head.toString("latin1", 0, end - 4));
        bytes = head.subarray(end);
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        this.#head = parsed.status < 200 ? Buffer.alloc(0) : undefined;
        if (this.#head === undefined && !this.#answer(parsed)) {
          return false;
        }
      }
      const whole = (this.#framer as BodyFramer).feed(bytes, (part) => this.#append(part));
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
    recyclers.set(body, (chunk) => {
      if (this.#lent.delete(chunk) && this.#spare.length < SPARE_CHUNKS) {
        this.#spare.push(chunk as Buffer);
      }
    });
    this.#resolve(new Response(body, { status: head.status, headers: head.headers }));
    return true;
  }

  /** Copies body content into the current chunk, handing on each chunk as it fills. */
  #append(part: Buffer): void {
    let at = 0;
    while (at < part.byteLength) {
      const take = Math.min(CHUNK_BYTES - this.#filled, part.byteLength - at);
      part.copy(this.#chunk, this.#filled, at, at + take);
      this.#filled += take;
      at += take;
      if (this.#filled === CHUNK_BYTES) {
        this.#lent.add(this.#chunk);
        this.#controller?.enqueue(this.#chunk);
        this.#chunk = this.#spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
        this.#filled = 0;
      }
    }
  }

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
    if (!this.#controller) {
      this.#reject(error);
      return;
    }
    if (this.#filled > 0) {
      this.#controller.enqueue(this.#chunk.subarray(0, this.#filled));
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
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#socket.destroy();
  }
}

/** The request's head: its headers as the layers above made them, one connection per download. */
function requestHead(request: Outgoing): string {
  const { url } = request;
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of request.headers) {
    if (name !== "host" && name !== "connection" && name !== "content-length") {
      head += `${name}: ${value}\r\n`;
    }
  }
  return `${head}connection: close\r\n\r\n`;
}
