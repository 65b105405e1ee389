import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { batchedWebStream } from "../batched-web-stream.js";
import { noContentBody } from "./responses.js";

/** Serves Node HTTP(S) requests with a web `(Request) => Promise<Response>` handler, streaming both ways. */
export function nodeListener(
  handle: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Captured now: Node detaches `req.socket` once the request body has been consumed.
    const socket = req.socket;
    const aborted = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) {
        aborted.abort(new Error("the client went away"));
      }
    });
    handle(toWebRequest(req, aborted.signal))
      .then((response) => writeResponse(response, req, res, socket))
      .catch(() => socket.destroy());
  };
}

function toWebRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
    } catch {
      // A header undici cannot represent is dropped, as a proxy would.
    }
  }
  const url = new URL(req.url ?? "/", `https://${req.headers.host ?? "localhost"}`);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // Request bodies are streamed, never buffered: uploads can be far larger than memory.
  const init = {
    method: req.method ?? "GET",
    headers,
    signal,
    ...(hasBody ? { body: batchedWebStream(req), duplex: "half" } : {}),
  };
  return new Request(url, init as RequestInit);
}

async function writeResponse(
  response: Response,
  req: IncomingMessage,
  res: ServerResponse,
  socket: Socket,
): Promise<void> {
  if (response.type === "error") {
    // A dropped connection: no status line, no headers, nothing.
    socket.destroy();
    return;
  }
  // A body the handler never read cannot be drained through its web stream; close the connection instead.
  const unread = !req.complete && req.method !== "GET" && req.method !== "HEAD";
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  if (unread) {
    res.setHeader("connection", "close");
    res.on("finish", () => socket.destroySoon());
  }
  const extra = noContentBody(response);
  if (extra) {
    writeNoContentWithBody(res, socket, extra);
    return;
  }
  if (!response.body) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res).catch(() => {
    res.destroy();
  });
}

/**
 * Node drops the body of a 204, so the bytes go straight to the socket after the headers, as SCP sends them.
 * The connection then closes: a client that ignores the body (as it should for 204) would otherwise read those
 * bytes as the start of its next response.
 */
function writeNoContentWithBody(res: ServerResponse, socket: Socket, body: Uint8Array): void {
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", String(body.byteLength));
  res.setHeader("connection", "close");
  res.flushHeaders();
  socket.write(body);
  res.end();
}
