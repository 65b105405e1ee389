// What a hostile or broken server cannot do to a call: stall it past its limit after the headers, make it buffer
// an endless body, or make it send an invalid request. Stalls need a real socket, so a loopback server plays SCP.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ScpResponseError, ScpTimeoutError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

type Behaviour = (res: ServerResponse) => void;
const behaviours = new Map<string, Behaviour>();
const open = new Set<ServerResponse>();
const server = createServer((req, res) => {
  open.add(res);
  res.once("close", () => open.delete(res));
  const id = /\/tasks\/([^/?]+)/.exec(req.url ?? "")?.[1] ?? "";
  (behaviours.get(id) ?? ((r) => r.writeHead(404).end()))(res);
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  behaviours.set("stall", (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"code":0,"message":"","data":{"task_id":"t",');
    // …and never another byte.
  });
  behaviours.set("declared-huge", (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": String(256 * 1024 * 1024) });
    res.write("{");
  });
  behaviours.set("endless", (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) {
        res.once("drain", pump);
      }
    };
    pump();
  });
});
afterAll(async () => {
  for (const res of open) {
    res.destroy();
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = (overrides = {}) => testClient({ baseUrl: base, retry: false, ...overrides });

test("a body that stalls after its headers ends in ScpTimeoutError at the call's limit", async () => {
  const error = await client({ timeoutMs: 150 })
    .tasks.get("stall")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpTimeoutError);
  expect(error).toMatchObject({ timeoutMs: 150, path: "/janus/20180725/tasks/stall" });
});

test("a body declared larger than maxResponseBytes is refused unread", async () => {
  const error = await client({ maxResponseBytes: 1024 * 1024 })
    .tasks.get("declared-huge")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.message).toContain("body larger than 1048576 bytes");
});

test("an endless body is cut at maxResponseBytes instead of filling memory", async () => {
  const error = await client({ maxResponseBytes: 1024 * 1024, timeoutMs: 20_000 })
    .tasks.get("endless")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpResponseError);
  expect(error.message).toContain("body larger than 1048576 bytes");
});

test("bad per-call options and inputs are refused before any request", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  const refusals = [
    () => scp.tasks.get("t", { signal: "stop" as unknown as AbortSignal }),
    () => scp.tasks.get("t", { timeoutMs: 0 }),
    () => scp.servers.start("vm", { clientToken: "token\r\nX-Evil: 1" }),
    () => scp.servers.list({ az_id: { nested: "x" } as unknown as string }),
    () => scp.servers.list({ query_name: "a\u0000b" }),
    () => scp.tasks.waitAll("t-1" as unknown as string[]),
    () => scp.images.upload("img", { file: "" }),
    () => scp.images.upload("img", { stream: "not a stream" as unknown as ReadableStream }),
    () => scp.images.download("img", { file: 42 as unknown as string }),
    () => scp.images.download("img", { file: "/tmp/x" }, { idleTimeoutMs: -5 }),
    () => scp.servers.delete("vm", { force: "yes" as unknown as boolean }),
  ];
  for (const call of refusals) {
    await expect(call()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toHaveLength(0);
});

test("a timeout or retry delay longer than a timer can wait is refused, not turned into an instant one", async () => {
  const fetch = scriptedFetch([]);
  for (const options of [
    { timeoutMs: 2 ** 31 },
    { retry: { retries: 2, minDelayMs: 2 ** 32, maxDelayMs: 2 ** 32 } },
    { retry: { maxRetryAfterMs: 2 ** 31 } },
  ]) {
    expect(() => testClient({ fetch, ...options })).toThrow(ScpValidationError);
  }
  const scp = testClient({ fetch });
  await expect(scp.tasks.get("t", { timeoutMs: 2 ** 31 })).rejects.toBeInstanceOf(ScpValidationError);
  expect(fetch.requests).toHaveLength(0);
});

test("a misspelt client option is refused by name instead of silently ignored", () => {
  let error: unknown;
  try {
    testClient({ fetch: scriptedFetch([]), timeout: 5_000 } as never);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ScpValidationError);
  expect((error as Error).message).toMatch(/timeout/);
});
