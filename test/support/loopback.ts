import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** One request a loopback server received, with its whole body. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** Answers one request: status, JSON body (or `raw` bytes, sent as they are) and headers. */
export type LoopbackHandler = (request: Received) => {
  status: number;
  json?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
};

/**
 * A real HTTP server on 127.0.0.1 for the calling test file, for the paths msw cannot see (streamed uploads go
 * through undici's `request`, not fetch). Set `handler` per test; every request is recorded.
 */
export function useLoopback() {
  const state = {
    url: "",
    received: [] as Received[],
    handler: ((): ReturnType<LoopbackHandler> => ({
      status: 500,
      json: { code: 500, message: "no handler" },
    })) as LoopbackHandler,
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
      }
    } catch {
      // The client gave up mid-body (a test of an upload that fails): nothing was received.
      return;
    }
    const received = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    state.received.push(received);
    const answer = state.handler(received);
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.raw ?? (answer.json === undefined ? undefined : JSON.stringify(answer.json)));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}
