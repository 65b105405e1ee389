import type { Socket } from "node:net";
import type { BodySource } from "./call-context.js";
import { giveBackChunk } from "./chunk-loans.js";
import { socketBacklog } from "./socket-backlog.js";

/**
 * Sends a streamed request body (an image upload) on `socket` with backpressure, giving each chunk back to its
 * source once the socket has written it (see {@link giveBackChunk}), so the file is read into a few buffers used
 * over and over. A body longer or shorter than its declared size is a failure (the file changed while it was
 * sent). Returns a function that stops sending (the server answered early, or the call failed).
 * @internal
 */
export function sendBody(socket: Socket, source: BodySource, fail: (error: Error) => void): () => void {
  const body = source.open();
  source.watch?.(socketBacklog(socket));
  const size = source.size;
  let sent = 0;
  const resume = () => body.resume();
  socket.on("drain", resume);
  const stop = () => {
    socket.off("drain", resume);
    body.destroy();
  };
  const changed = () => new Error(`the body's size changed while it was sent (${size} bytes declared)`);
  body.on("data", (chunk: Buffer) => {
    sent += chunk.byteLength;
    if (size !== undefined && sent > size) {
      fail(changed());
      return;
    }
    if (!socket.write(chunk, () => giveBackChunk(chunk))) {
      body.pause();
    }
  });
  body.once("end", () => {
    if (size !== undefined && sent !== size) {
      fail(changed());
    }
  });
  body.once("error", fail);
  return stop;
}
