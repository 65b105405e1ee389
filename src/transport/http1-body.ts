/** Longest status line, header block or chunk-size line the SDK accepts from a server. */
const MAX_HEAD_BYTES = 64 * 1024;

/** A malformed HTTP/1.1 answer: the connection is dropped, as a cut one is. */
class HttpParseError extends Error {
  readonly code = "HPE_INVALID";
}

/** The status and headers of an HTTP/1.1 answer. @internal */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * Parses an answer's head (status line and header lines; the blank line that ends it may be left on). Lenient where
 * servers differ (a bare LF, an empty reason phrase), strict where a wrong guess would corrupt the body.
 * @internal
 */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.trimEnd().split(/\r?\n/);
  const match = /^HTTP\/1\.[01] ([1-5]\d\d)(?: .*)?$/.exec(lines[0] ?? "");
  if (!match) {
    throw new HttpParseError(`not an HTTP/1.1 status line: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  }
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /^\s/.test(line)) {
      throw new HttpParseError("malformed header line");
    }
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers };
}

/**
 * Where the head ends in `bytes` (the index past its blank line), or -1 when it has not all arrived.
 * @internal
 */
export function headEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf("\r\n\r\n");
  const lf = bytes.indexOf("\n\n");
  const end = Math.min(crlf < 0 ? Number.POSITIVE_INFINITY : crlf + 4, lf < 0 ? Number.POSITIVE_INFINITY : lf + 2);
  if (end !== Number.POSITIVE_INFINITY) {
    return end;
  }
  if (bytes.byteLength > MAX_HEAD_BYTES) {
    throw new HttpParseError("the answer's head is too large");
  }
  return -1;
}

/**
 * How an answer's body is delimited (RFC 9112 §6.3), for an answer to a GET or a PUT (never a HEAD). Repeated
 * Content-Length headers that agree are left as one value in `head.headers`, for those who read the header.
 * @internal
 */
export function bodyFraming(head: ResponseHead): BodyFramer {
  const coding = head.headers.get("transfer-encoding");
  if (coding !== null) {
    if (coding.split(",").at(-1)?.trim().toLowerCase() !== "chunked") {
      return new UntilClose();
    }
    return new Chunked();
  }
  const length = head.headers.get("content-length");
  if (length !== null) {
    // Repeated headers arrive joined ("5, 5"): valid only when they agree.
    const values = new Set(length.split(",").map((v) => v.trim()));
    const [value] = values;
    if (values.size !== 1 || value === undefined || !/^\d{1,15}$/.test(value)) {
      throw new HttpParseError("invalid Content-Length");
    }
    head.headers.set("content-length", value);
    return new Sized(Number(value));
  }
  return new UntilClose();
}

/** Takes a body's bytes off the wire as they come, handing on its content. @internal */
export interface BodyFramer {
  /** Hands on the content in `bytes` (views into it, valid during the call); true once the body is whole. */
  feed(bytes: Buffer, content: (part: Buffer) => void): boolean;
  /** True when the connection's end is the body's end. */
  readonly endsWithConnection: boolean;
}

class Sized implements BodyFramer {
  readonly endsWithConnection = false;
  #left: number;

  constructor(length: number) {
    this.#left = length;
  }

  feed(bytes: Buffer, content: (part: Buffer) => void): boolean {
    const take = Math.min(this.#left, bytes.byteLength);
    if (take > 0) {
      content(take === bytes.byteLength ? bytes : bytes.subarray(0, take));
      this.#left -= take;
    }
    return this.#left === 0;
  }
}

class UntilClose implements BodyFramer {
  readonly endsWithConnection = true;

  feed(bytes: Buffer, content: (part: Buffer) => void): boolean {
    if (bytes.byteLength > 0) {
      content(bytes);
    }
    return false;
  }
}

/** Chunked transfer coding: size lines (extensions ignored), data, and trailers after the last chunk. */
class Chunked implements BodyFramer {
  readonly endsWithConnection = false;
  #state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  #line = "";
  #left = 0;

  feed(bytes: Buffer, content: (part: Buffer) => void): boolean {
    let at = 0;
    while (at < bytes.byteLength && this.#state !== "done") {
      if (this.#state === "data") {
        const take = Math.min(this.#left, bytes.byteLength - at);
        content(bytes.subarray(at, at + take));
        at += take;
        this.#left -= take;
        if (this.#left === 0) {
          this.#state = "data-end";
        }
        continue;
      }
      const newline = bytes.indexOf(10, at);
      const end = newline < 0 ? bytes.byteLength : newline;
      this.#line += bytes.toString("latin1", at, end);
      if (this.#line.length > MAX_HEAD_BYTES) {
        throw new HttpParseError("chunk line too long");
      }
      at = end;
      if (newline < 0) {
        break;
      }
      at++;
      this.#endOfLine(this.#line.endsWith("\r") ? this.#line.slice(0, -1) : this.#line);
      this.#line = "";
    }
    return this.#state === "done";
  }

  #endOfLine(line: string): void {
    if (this.#state === "data-end") {
      if (line !== "") {
        throw new HttpParseError("chunk data longer than its size");
      }
      this.#state = "size";
    } else if (this.#state === "trailer") {
      this.#state = line === "" ? "done" : "trailer";
    } else {
      const size = line.split(";")[0]?.trim() ?? "";
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) {
        throw new HttpParseError("invalid chunk size");
      }
      this.#left = Number.parseInt(size, 16);
      this.#state = this.#left === 0 ? "trailer" : "data";
    }
  }
}
