import { pipeline, Transform } from "node:stream";
import { TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { unwrapData } from "../transport/unwrap.js";
import { fileSize, fileSource, spoolToFile } from "./body-sources.js";
import { combineSignals, transferWatchdog } from "./idle-watchdog.js";
import type { TransferOptions, UploadSource } from "./image-transfer.js";
import type { RequestOptions, TaskRef } from "./request-options.js";

const UPLOAD = "/janus/20180725/images/{image_id}/upload";

/**
 * Uploads an image file as a raw stream at constant memory; returns the distribution task. A stream source is
 * first copied to a temporary file, so it can be hashed for the signature and sent again on a retry.
 * @internal
 */
export async function uploadImageFile(
  transport: Transport,
  imageId: string,
  from: UploadSource,
  options: TransferOptions & { defaultIdleMs: number },
): Promise<TaskRef> {
  const spooled = "stream" in from ? await spoolToFile(from.stream, options.signal) : undefined;
  const path = spooled?.path ?? (from as { file: string }).file;
  try {
    const total = await fileSize(path);
    const file = fileSource(path, spooled?.sha256 ?? ("sha256" in from ? from.sha256 : undefined));
    const idleMs = options.idleTimeoutMs ?? options.defaultIdleMs;
    const urlPath = `/janus/20180725/images/${imageId}/upload`;
    const { watchdog, overrides } = transferWatchdog("PUT", urlPath, idleMs);
    // A retry sends the file again from its start: progress holds at the furthest point reached until it passes it.
    let reported = 0;
    const source = {
      sha256: file.sha256,
      size: total,
      open: () => {
        // Armed when sending starts, not during the hash pre-pass that signing does first.
        watchdog.touch();
        let sent = 0;
        // Every chunk pulled proves the upload is alive.
        const tap = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            sent += chunk.length;
            watchdog.touch();
            if (sent > reported) {
              reported = sent;
              options.onProgress?.(sent, total);
            }
            done(null, chunk);
          },
        });
        // pipeline passes a failure either way: a read error fails the upload, a cut upload closes the file.
        return pipeline(file.open(), tap, () => undefined);
      },
      // On the SDK's own connection, bytes leaving the socket's queues count too: a 2 MiB chunk on a slow link, and
      // the last MiB the system holds once the file is read, move with no chunk pulled.
      watch: (backlog: () => Promise<string | undefined>) => watchdog.watch(backlog),
    };
    try {
      const called = await transport.send(
        (init) =>
          transport.http.PUT(UPLOAD, {
            params: { path: { image_id: imageId } },
            body: "",
            bodySerializer: () => undefined,
            ...init,
          }),
        { ...requestPart(options), signal: combineSignals(options.signal, watchdog.signal) },
        { source, timeoutMs: 0, ...overrides },
      );
      return { taskId: unwrapData(called, TaskRefGate).task_id };
    } finally {
      watchdog.stop();
    }
  } finally {
    await spooled?.remove();
  }
}

/** The request options inside transfer options. @internal */
export function requestPart(options: TransferOptions): Omit<RequestOptions, "signal" | "timeoutMs"> {
  return {
    ...(options.clientToken === undefined ? {} : { clientToken: options.clientToken }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  };
}
