import type { Readable } from "node:stream";

/**
 * A web stream over a Node readable that hands on everything the readable has buffered as one chunk. Node's
 * `Readable.toWeb` copies every socket read into a chunk of its own (16 KiB TLS records), and at a gigabyte that
 * is 65,000 copies and trips through the web-stream machinery; here a chunk is up to the readable's high-water
 * mark. A readable that closes before its end (cut, destroyed) errors the stream.
 * @internal
 */
export function batchedWebStream(body: Readable): ReadableStream<Uint8Array> {
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
    // Closed without an error and before its end: the body was cut. (A request the server received whole still
    // ends: `complete` says so.)
    const whole = ended || (body as { complete?: boolean }).complete === true;
    failure ??= whole ? undefined : { error: new Error("the body closed before its end") };
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
