import type { Readable } from "node:stream";
import type { BodyReader } from "./read-body.js";

/**
 * Reads a Node readable a chunk at a time, as it arrived, for a body the transport reads whole (no web stream in
 * between: a small JSON answer cost ~35 µs more through one). `cancel` destroys it, a pending read included.
 * @internal
 */
export function nodeReader(body: Readable): BodyReader {
  const chunks = body[Symbol.asyncIterator]();
  return {
    read: () => chunks.next() as Promise<{ done: boolean; value?: Uint8Array | undefined }>,
    cancel: async () => {
      // undici's body errors as it is destroyed (RequestAbortedError): heard here, or it would end the process.
      body.on("error", () => undefined);
      body.destroy();
    },
  };
}
