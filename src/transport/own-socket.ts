import { isIP, connect as netConnect, type OnReadOpts, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type { ScpTlsOptions } from "../options.js";
import type { Outgoing } from "./call-context.js";
import { tlsConnectOptions } from "./tls-options.js";

/** How long connecting (TCP and TLS) may take: undici's default. */
const CONNECT_TIMEOUT_MS = 10_000;

/** TCP keep-alive, so a peer that vanished (a dropped NAT entry) ends the transfer rather than hang it. */
const KEEP_ALIVE_MS = 60_000;

/**
 * Opens the socket of one transfer to `url`'s origin: TLS with the client's settings (SNI unless the host is an
 * IP) for https, plain TCP for http, with keep-alive, reading through `onread`. A connection not made within
 * 10 s fails with the code undici gives it, which the transport counts as "not sent" (as undici: such a
 * connection was never used, so even a PUT may be sent again).
 * @internal
 */
export function openSocket(
  url: URL,
  tls: ScpTlsOptions | undefined,
  onread: OnReadOpts,
  fail: (error: Error) => void,
): Socket {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const secure = url.protocol === "https:";
  const socket = secure
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
  socket.setKeepAlive(true, KEEP_ALIVE_MS);
  const timer = setTimeout(() => {
    const message = `could not connect to ${url.host} within ${CONNECT_TIMEOUT_MS} ms`;
    fail(Object.assign(new Error(message), { code: "UND_ERR_CONNECT_TIMEOUT" }));
  }, CONNECT_TIMEOUT_MS);
  socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(timer));
  socket.once("close", () => clearTimeout(timer));
  return socket;
}

/**
 * The request's head: its headers as the layers above made them, the body's size, the bytes as stored (a
 * download's Range offsets and SHA-256 are of those, and an answer is never encoded), one connection per request.
 * @internal
 */
export function requestHead(request: Outgoing): string {
  const { url } = request;
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of request.headers) {
    if (name !== "host" && name !== "connection" && name !== "content-length") {
      head += `${name}: ${value}\r\n`;
    }
  }
  if (!request.headers.has("accept-encoding")) {
    head += "accept-encoding: identity\r\n";
  }
  const size = request.source?.size;
  return `${head}${size === undefined ? "" : `content-length: ${size}\r\n`}connection: close\r\n\r\n`;
}
