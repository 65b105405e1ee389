import type { Readable } from "node:stream";
import type { ScpOutcome } from "../errors/base.js";
import type { ResolvedRetry } from "../resolve-options.js";

/** A request body that can be opened again for every attempt (a file, say), so it is never buffered. @internal */
export interface BodySource {
  /** Opens a fresh stream of the whole body (a Node stream: undici sends it as it is, fetch gets a web copy). */
  open(): Readable;
  /** Hex SHA-256 of the bytes `open()` yields, for signing; computed by a pre-pass, not by buffering. */
  sha256(): Promise<string>;
  /** Length in bytes, when known; sent as Content-Length. */
  readonly size?: number;
  /**
   * Told, when an attempt sends the body on a socket the SDK owns, how to see its written bytes move: a function
   * whose answer changes while they do, undefined when it cannot tell (`socketBacklog`).
   */
  watch?(backlog: () => Promise<string | undefined>): void;
}

/**
 * What one logical call sends, fixed once at the transport's entry. It is not a `Request` because a `Request`
 * body can be read only once, while retries send it again and a streamed upload reopens its source per attempt.
 * @internal
 */
export interface Outgoing {
  readonly method: string;
  readonly url: URL;
  /** Never changed in place: a layer that adds headers sends a copy. */
  readonly headers: Headers;
  /** A small body, already serialised. */
  readonly body: Uint8Array | undefined;
  /** A streamed body, reopened for each attempt. */
  readonly source: BodySource | undefined;
}

/** How the transport treats one call: the client's defaults with the call's overrides applied. @internal */
export interface CallPolicy {
  /** Limit of one attempt, from sending until the body is read (for a streamed response: its headers); 0 for none. */
  readonly timeoutMs: number;
  readonly retry: ResolvedRetry | false;
  /** The response body is a stream for the caller (a download): the transport must not read it. */
  readonly streamResponse: boolean;
  /** Largest JSON body the transport buffers. */
  readonly maxResponseBytes: number;
  /**
   * Called when the transport waits on something other than the call's bytes (before another attempt, for a login);
   * the function it returns ends the wait. A transfer's idle watch does not count that time.
   */
  readonly holdIdle: (() => () => void) | undefined;
}

/**
 * What the transport learned about one call. The layers write it and `unwrap` reads it, so nothing about the call
 * travels beside a `Response`, where middleware that replaces the response would drop it.
 * @internal
 */
export interface CallRecord {
  /** The SDK's id for the call, sent as `X-Request-Id`, logged with every line and put on its errors. */
  readonly requestId: string;
  method: string;
  /** Request path without the query string. */
  path: string;
  /** Attempts sent so far. */
  attempts: number;
  /** Set when a mutating call failed in a way that may still have applied it. */
  outcome: ScpOutcome | undefined;
  /** Request id the server (or a proxy) sent back, when it did. */
  serverRequestId: string | undefined;
  /** Values that must never show in an error: credentials this call sent. */
  readonly secrets: Set<string>;
}

/** What every layer gets besides the request. @internal */
export interface CallContext {
  readonly policy: CallPolicy;
  readonly record: CallRecord;
  /** The caller's signal combined with the layers' own (a timeout, say). */
  readonly signal: AbortSignal | undefined;
  /** When the current attempt must be over (epoch ms); undefined for no limit. */
  readonly deadline: number | undefined;
}

/** One layer of the transport: sends a call, returns the response or throws an ScpError. @internal */
export type Send = (request: Outgoing, ctx: CallContext) => Promise<Response>;

/**
 * Waits for `wait` with the call's idle watch held (see {@link CallPolicy.holdIdle}): the wait is not a stall.
 * @internal
 */
export async function heldIdle<T>(ctx: CallContext, wait: () => Promise<T>): Promise<T> {
  const release = ctx.policy.holdIdle?.();
  try {
    return await wait();
  } finally {
    release?.();
  }
}

/** True for methods whose repetition changes nothing (DELETE deletes once; a second gets 404). @internal */
export function isIdempotentMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "DELETE";
}

/** A new record for a call that has not been sent yet. @internal */
export function newRecord(requestId: string): CallRecord {
  return {
    requestId,
    method: "?",
    path: "?",
    attempts: 0,
    outcome: undefined,
    serverRequestId: undefined,
    secrets: new Set(),
  };
}
