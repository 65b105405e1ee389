/** V1 (`code`) or V2 (`errcode`) envelope. */
export type Envelope = "v1" | "v2";

/** A failure a handler raises; the pipeline answers it in the operation's envelope. */
export class SimHttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Extra response headers, such as Retry-After. */
  readonly headers: Readonly<Record<string, string>>;

  /** Creates an error answered with `status` and `message`. */
  constructor(status: number, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = "SimHttpError";
    this.status = status;
    this.headers = headers;
  }
}

/** A JSON answer with its length, as SCP's web server sends it. */
function jsonResponse(data: unknown, status: number, headers: Readonly<Record<string, string>> = {}): Response {
  // Encoded once: its length is the header, and the bytes are the body (a string body is encoded again).
  const bytes = Buffer.from(JSON.stringify(data), "utf8");
  return new Response(bytes, {
    status,
    headers: { "content-type": "application/json", "content-length": String(bytes.byteLength), ...headers },
  });
}

// A web Response cannot carry a body with 204; the HTTPS adapter writes this body to the socket itself.
const noContentBodies = new WeakMap<Response, Uint8Array>();

/** The envelope of a path: V2 for paths dated 20240725 or later, V1 otherwise (undated paths included). */
export function envelopeForPath(path: string): Envelope {
  const date = /^\/janus\/(\d{8})\//.exec(path)?.[1];
  return date !== undefined && date >= "20240725" ? "v2" : "v1";
}

/** A success answer. */
export function ok(envelope: Envelope, data: unknown, status = 200): Response {
  return jsonResponse(envelope === "v1" ? { code: 0, message: "", data } : { errcode: "", message: "", data }, status);
}

/** The error body in an envelope. */
export function errorBody(envelope: Envelope, status: number, message: string): object {
  return envelope === "v1" ? { code: status, message, data: {} } : { errcode: String(status), message, data: {} };
}

/** An error answer. */
export function fail(
  envelope: Envelope,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return jsonResponse(errorBody(envelope, status, message), status, headers);
}

/** A 204 that, on the wire, still carries a success envelope (as SCP's server delete does). */
export function noContentWithBody(envelope: Envelope, data: unknown): Response {
  const response = new Response(null, { status: 204 });
  const body = envelope === "v1" ? { code: 0, message: "", data } : { errcode: "", message: "", data };
  noContentBodies.set(response, new TextEncoder().encode(JSON.stringify(body)));
  return response;
}

/** The body a 204 from {@link noContentWithBody} should carry on the wire; undefined for other responses. */
export function noContentBody(response: Response): Uint8Array | undefined {
  return noContentBodies.get(response);
}

/** A JSON answer outside the SCP envelopes (the control endpoint). */
export function plainJson(data: unknown, status = 200): Response {
  return jsonResponse(data, status);
}
