// A transfer's idle limit counts only time in which its bytes could move: not a login the transport waits for (with
// its own retries), nor a wait between attempts. A stall after such a wait is still caught.
import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { createScpClient, ScpTimeoutError } from "../../src/index.js";
import { useTempDir } from "../support/temp-dir.js";

const IMAGE = "0b8c6c4e-0000-4000-8000-00000000bbbb";
const temp = useTempDir("scp-idle-waits-");
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const modulus = Buffer.from(publicKey.export({ format: "jwk" }).n as string, "base64url").toString("hex");

/** What the server does with the n-th transfer request (1-based); logins are counted apart. */
let transfer: (n: number, res: ServerResponse) => void = () => undefined;
let transfers = 0;
let logins = 0;
const held: ServerResponse[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const busy = (res: ServerResponse) => json(res, 503, { code: 503, message: "busy" }, { "retry-after": "1" });

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => {
    if (req.url?.includes("public-key")) {
      json(res, 200, { code: 0, message: "", data: { public_key: modulus } });
    } else if (req.url?.includes("authenticate")) {
      logins++;
      // The login after a 401 is told to come back in a second, once.
      if (logins === 2) {
        busy(res);
      } else {
        json(res, 200, { code: 0, message: "", data: { access: { token: { id: `token-${logins}` } } } });
      }
    } else {
      transfers++;
      transfer(transfers, res);
    }
  });
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of held) {
    res.destroy();
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  transfers = 0;
  logins = 0;
});

const client = () =>
  createScpClient({
    baseUrl: url,
    tls: {},
    auth: { type: "token", username: "backup", password: "not-a-secret", loginVersion: "v2" },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 5_000,
  });

/** The first transfer request is refused as unauthorised (a token that expired), the next succeeds. */
function expiredThen(ok: (res: ServerResponse) => void) {
  transfer = (n, res) => (n === 1 ? json(res, 401, { code: 401, message: "token expired" }) : ok(res));
}

test("an upload whose new login is told to wait longer than the idle limit waits, and then succeeds", async () => {
  const file = join(temp.dir, "up.vma");
  await writeFile(file, Buffer.alloc(100_000, 3));
  expiredThen((res) => json(res, 200, { code: 0, message: "", data: { task_id: "t-1" } }));
  const ref = await client().images.upload(IMAGE, { file }, { idleTimeoutMs: 300 });
  expect(ref).toEqual({ taskId: "t-1" });
  expect({ logins, transfers }).toEqual({ logins: 3, transfers: 2 });
});

test("a download whose new login is told to wait does not resume: the wait was not a stall", async () => {
  const data = Buffer.alloc(3000, 7);
  expiredThen((res) => {
    res.writeHead(200, { "content-length": data.length });
    res.end(data);
  });
  const result = await client().images.download(IMAGE, { file: join(temp.dir, "down.vma") }, { idleTimeoutMs: 300 });
  expect(result).toMatchObject({ sizeBytes: data.length, resumes: 0 });
  expect(transfers).toBe(2);
});

test("a download that stalls after a wait it was asked for still fails as idle", async () => {
  const ids: unknown[] = [];
  transfer = (n, res) => {
    ids.push(res.req.headers["x-request-id"]);
    if (n === 1) {
      busy(res);
      return;
    }
    // A head and a little of the body, then nothing.
    res.writeHead(200, { "content-length": 10_000 });
    res.write(Buffer.alloc(1000, 1));
    held.push(res);
  };
  const error = await client()
    .images.download(IMAGE, { file: join(temp.dir, "stalled.vma") }, { idleTimeoutMs: 300, maxResumes: 0 })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpTimeoutError);
  expect(error).toMatchObject({ idle: true, timeoutMs: 300 });
  expect(transfers).toBe(2);
  // The id the call was sent with, as the transport's own errors carry it: the server's logs can be searched for it.
  expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids).toEqual([error.requestId, error.requestId]);
});
