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

/**
 * A web stream over a Node readable that hands on everything the readable has buffered as one chunk. Node's
 * `Readable.toWeb` passes every socket read on alone (16 KiB TLS records), and at a gigabyte that is 65,000 trips
 * through the web-stream machinery; here a chunk is up to the readable's high-water mark.
 * @internal
 */
export function webBody(body: Readable): ReadableStream<Uint8Array> {
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  body.on("readable", notify);
  body.once("end", () => {
    ended = true;
    notify();
  });
  body.once("error", (error) => {
    failure ??= { error };
    notify();
  });
  body.once("close", () => {
    // Destroyed without an error and before its end: the body was cut.
    failure ??= ended ? undefined : { error: new Error("the response body closed before its end") };
    notify();
  });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const chunk = body.read() as Buffer | null;
          if (chunk !== null) {
            controller.enqueue(chunk);
            return;
          }
          if (failure) {
            throw failure.error;
          }
          if (ended) {
            controller.close();
            return;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      cancel(reason) {
        body.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
