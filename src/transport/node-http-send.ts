import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { ScpTlsOptions } from "../options.js";
import type { Call } from "./call.js";
import { NULL_BODY } from "./read-body.js";
import { tlsConnectOptions } from "./tls-options.js";

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, v);
    }
  }
  const status = res.statusCode ?? 502;
  const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (body === null) {
    res.resume();
  }
  return new Response(body, { status, statusText: res.statusMessage ?? "", headers });
}

/**
 * Sends a call with a streamed body through `node:http(s)`: Node's fetch keeps a streamed request body in memory
 * (nodejs/undici#4058), which a multi-gigabyte image upload cannot afford. Sends `Content-Length` when the size
 * is known, so servers that refuse chunked uploads accept it.
 * @internal
 */
export function createNodeStreamSend(tls: ScpTlsOptions | undefined): (call: Call) => Promise<Response> {
  let agent: https.Agent | undefined;
  return (call) =>
    new Promise<Response>((resolve, reject) => {
      const secure = call.url.protocol === "https:";
      if (secure && !agent) {
        agent = new https.Agent({ keepAlive: true, ...tlsConnectOptions(tls) });
      }
      const headers = Object.fromEntries(call.headers.entries());
      if (call.source?.size !== undefined) {
        headers["content-length"] = String(call.source.size);
      }
      const options = {
        method: call.method,
        headers,
        ...(secure ? { agent } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
      };
      // Looked up per call, like fetch, so interceptors (msw) installed later still see it.
      const request = (secure ? https : http).request(call.url, options);
      request.once("response", (res) => resolve(toResponse(res)));
      request.once("error", reject);
      const body = call.source?.open();
      if (!body) {
        request.end();
        return;
      }
      pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), request).catch(reject);
    });
}
