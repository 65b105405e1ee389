import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** How the next downloads are answered. */
export interface DownloadScript {
  /** The file served. */
  data: Buffer;
  /** The first answer serves these bytes instead of `data` (a file that changed between two answers). */
  firstData?: Buffer;
  /** The first answer is cut (the connection dropped) after this many body bytes. */
  cutFirstAt?: number;
  /** The first answer stops sending (without closing) after this many body bytes. */
  stallFirstAt?: number;
  /** Answer every request with the whole file, Range or not. */
  ignoreRange?: boolean;
  /** The `ETag` sent with `data`, and with `firstData` (an `If-Range` that is not the file's own gets it whole). */
  etag?: string;
  firstEtag?: string;
  /** Answer with this error envelope instead. */
  error?: { status: number; message: string };
}

/**
 * A real HTTP server on 127.0.0.1 that serves image downloads, for the paths msw cannot see (a download goes
 * through the SDK's own connection, not fetch). Set `script` per test; the Range and If-Range headers of every
 * request are recorded.
 */
export function useDownloadServer() {
  const state = {
    url: "",
    ranges: [] as (string | null)[],
    ifRanges: [] as (string | null)[],
    script: { data: Buffer.alloc(0) } as DownloadScript,
  };
  const stalled = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { cutFirstAt, stallFirstAt, ignoreRange, error } = state.script;
    const range = req.headers.range ?? null;
    state.ranges.push(range);
    const ifRange = req.headers["if-range"] as string | undefined;
    state.ifRanges.push(ifRange ?? null);
    const first = state.ranges.length === 1;
    const data = (first && state.script.firstData) || state.script.data;
    const etag = first && state.script.firstData ? state.script.firstEtag : state.script.etag;
    if (error) {
      res.writeHead(error.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ errcode: String(error.status), message: error.message, data: {} }));
      return;
    }
    const stale = ifRange !== undefined && ifRange !== etag;
    const start = range && !ignoreRange && !stale ? Number(/bytes=(\d+)-/.exec(range)?.[1]) : 0;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(data.length - start),
      ...(etag === undefined ? {} : { etag }),
    };
    if (start > 0) {
      headers["content-range"] = `bytes ${start}-${data.length - 1}/${data.length}`;
    }
    res.writeHead(start > 0 ? 206 : 200, headers);
    const stop = first ? (cutFirstAt ?? stallFirstAt) : undefined;
    if (stop === undefined) {
      res.end(data.subarray(start));
      return;
    }
    res.write(data.subarray(start, stop), () => {
      if (cutFirstAt !== undefined) {
        res.socket?.destroy();
      } else {
        stalled.add(res);
      }
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of stalled) {
      res.destroy();
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    get url() {
      return state.url;
    },
    /** Sets how the next downloads are answered and forgets the Range headers recorded so far. */
    serve(script: DownloadScript): (string | null)[] {
      state.script = script;
      state.ranges = [];
      state.ifRanges = [];
      return state.ranges;
    },
    /** The If-Range header of each request since the last `serve` (null where there was none). */
    get ifRanges(): (string | null)[] {
      return state.ifRanges;
    },
  };
}
