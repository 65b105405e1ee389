import type { ResolvedRetry } from "../options.js";

/** A request body that can be opened again for every attempt (a file, say), so it is never buffered. @internal */
export interface BodySource {
  /** Opens a fresh stream of the whole body. */
  open(): ReadableStream<Uint8Array>;
  /** Hex SHA-256 of the bytes `open()` yields, for signing; computed by a pre-pass, not by buffering. */
  sha256(): Promise<string>;
  /** Length in bytes, when known; sent as Content-Length. */
  readonly size?: number;
}

/** One logical API call as it moves through the transport layers. @internal */
export interface Call {
  readonly method: string;
  readonly url: URL;
  /** Headers to send; layers add to a copy, never to the caller's object. */
  readonly headers: Headers;
  /** A small body, already serialised. */
  readonly body: Uint8Array | undefined;
  /** A streamed body, reopened for each attempt. */
  readonly source: BodySource | undefined;
  /** The caller's signal, combined by layers with their own. */
  readonly signal: AbortSignal | undefined;
  /** Limit of one attempt until the response is read; 0 for none. */
  readonly timeoutMs: number;
  readonly retry: ResolvedRetry | false;
  /** The response body is a stream for the caller (a download); the transport must not read it. */
  readonly streamResponse: boolean;
}

/** One layer of the transport: sends a call, returns the response or throws an ScpError. @internal */
export type Send = (call: Call) => Promise<Response>;

/** A transport layer: takes the next layer, returns a new one. @internal */
export type Layer = (next: Send) => Send;

/** Returns a copy of the call with some fields replaced. @internal */
export function withCall(call: Call, changes: Partial<Call>): Call {
  return { ...call, ...changes };
}

/** True for methods whose repetition changes nothing (DELETE deletes once; a second gets 404). @internal */
export function isIdempotentMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "DELETE";
}
