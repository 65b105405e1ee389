import { pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, constants as zlib } from "node:zlib";
import type { Dispatcher } from "undici";
import type { CallContext, Outgoing } from "./call-context.js";
import { NULL_BODY } from "./read-body.js";

/** Most bytes a streamed response buffers ahead of its reader (and the most one chunk of it carries). */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/** What fetch asks for and decodes: a JSON answer may come compressed, as it did when calls went through fetch. */
const ACCEPT_ENCODING = "gzip, deflate, br";

// Lenient about a body cut inside its last block, as fetch is.
const FLUSH = { flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH };
const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => createGunzip(FLUSH),
  "x-gzip": () => createGunzip(FLUSH),
  deflate: () => createInflate(FLUSH),
  br: () =>
    createBrotliDecompress({
      flush: zlib.BROTLI_OPERATION_FLUSH,
      finishFlush: zlib.BROTLI_OPERATION_FLUSH,
    }),
};

/**
 * The body with its content codings undone, last applied first; undefined when one is not known (the body is then
 * passed on as it came, as fetch does).
 */
function decoded(body: Readable, encoding: string): Readable | undefined {
  const codings = encoding
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "" && c !== "identity")
    .reverse();
  if (codings.some((c) => !(c in DECODERS))) {
    return undefined;
  }
  if (codings.length === 0) {
    return body;
  }
  // One chain: an error in any part destroys the whole (the reader sees it), and so does a reader that cancels.
  const decoders = codings.map((c) => (DECODERS[c] as () => NodeJS.ReadWriteStream)());
  return pipeline(
    [body, ...decoders] as unknown as [Readable, ...NodeJS.ReadWriteStream[]],
    () => undefined,
  ) as unknown as Readable;
}

/** What undici answered: status, headers and the body as a Node stream (decoded), not read yet. @internal */
export interface NodeAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Null for a status that has no body. */
  readonly body: Readable | null;
}

/**
 * Sends one attempt with undici's `request` on the client's dispatcher: a streamed upload or download at constant
 * memory either way, and every other call for a third of fetch's CPU (fetch builds a Request, a Response and web
 * streams around undici's own request; at ~250 µs a call that was most of the SDK's cost per request). A JSON
 * answer may be compressed and is decoded, and then loses its Content-Length, so the transport's size cap counts
 * the decoded bytes; a download asks for the bytes as stored (Range offsets and its SHA-256 are of those).
 * @internal
 */
export async function sendWithUndici(request: Outgoing, ctx: CallContext, dispatcher: Dispatcher): Promise<NodeAnswer> {
  const source = request.source;
  const headers: Record<string, string> = Object.fromEntries(request.headers.entries());
  if (source?.size !== undefined) {
    // Servers that refuse chunked uploads accept a declared length.
    headers["content-length"] = String(source.size);
  }
  const decode = !ctx.policy.streamResponse;
  if (decode && headers["accept-encoding"] === undefined) {
    headers["accept-encoding"] = ACCEPT_ENCODING;
  }
  const answer = await dispatcher.request({
    origin: request.url.origin,
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method as Dispatcher.HttpMethod,
    headers,
    body: source ? source.open() : (request.body ?? null),
    signal: ctx.signal ?? null,
    highWaterMark: STREAM_HIGH_WATER_BYTES,
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, v);
    }
  }
  if (NULL_BODY.has(answer.statusCode)) {
    await answer.body.dump();
    return { status: answer.statusCode, headers: responseHeaders, body: null };
  }
  const encoding = decode ? responseHeaders.get("content-encoding") : null;
  const body = encoding === null ? answer.body : decoded(answer.body, encoding);
  if (body !== answer.body && body !== undefined) {
    responseHeaders.delete("content-length");
  }
  return { status: answer.statusCode, headers: responseHeaders, body: body ?? answer.body };
}
