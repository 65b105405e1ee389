import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateSelfSignedCertificate,
  type ScpSimulatorServer,
  startScpSimulator,
} from "../../src/simulator/index.js";
import { amzDate, type FetchLike, loginToken, rawClient, sha256, signatureHeaders } from "./support.js";

let server: ScpSimulatorServer;
let trusted: Agent;
let fetchTrusted: FetchLike;

beforeAll(async () => {
  server = await startScpSimulator({
    serverCount: 10,
    taskDurationMs: 0,
    vmtoolsDelayMs: 0,
    vmaSizeBytes: 1024 * 1024,
  });
  trusted = new Agent({ connect: { ca: server.ca } });
  fetchTrusted = (input, init) => fetch(input, { ...init, dispatcher: trusted } as RequestInit);
});
afterAll(async () => {
  await trusted.close();
  await server.close();
});

function signed() {
  return rawClient(fetchTrusted, server.url, { type: "signature", credentials: server.credentials });
}

/** The raw bytes of an exchange, over a bare TLS socket (an HTTP client would stop reading after a 204). */
function rawExchange(method: string, path: string, headers: Record<string, string>, body: string): Promise<string> {
  const url = new URL(path, server.url);
  const lines = Object.entries({ ...headers, Host: url.host, "Content-Length": String(Buffer.byteLength(body)) });
  const head = `${method} ${url.pathname} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: server.ca }, () =>
      socket.end(head + body),
    );
    let raw = "";
    socket.on("data", (chunk: Buffer) => {
      raw += chunk.toString("latin1");
    });
    socket.on("close", () => resolve(raw));
    socket.on("error", reject);
  });
}

describe("HTTPS simulator", () => {
  it("is trusted with its CA, refused without it, and reachable with verification off", async () => {
    const version = "/janus/20180725/system/version";
    expect((await signed()("GET", version)).status).toBe(200);
    const untrusted = await fetch(`${server.url}${version}`).catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(TypeError);
    expect(String((untrusted as TypeError & { cause?: { code?: string } }).cause?.code)).toMatch(/CERT|SELF_SIGNED/);
    const insecure = new Agent({ connect: { rejectUnauthorized: false } });
    const response = await fetch(`${server.url}${version}`, { dispatcher: insecure } as RequestInit);
    expect(response.status).toBe(401);
    await insecure.close();
    const byName = server.url.replace("127.0.0.1", "localhost");
    expect((await rawClient(fetchTrusted, byName, { type: "none" })("GET", "/janus/public-key")).status).toBe(200);
  });

  it("generates a CA certificate for localhost, 127.0.0.1 and ::1, valid from a day ago for 30 days", () => {
    const { cert, key } = generateSelfSignedCertificate({ hosts: ["localhost", "127.0.0.1", "::1", "scp.example"] });
    const x509 = new X509Certificate(cert);
    expect(x509.ca).toBe(true);
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.checkHost("scp.example")).toBe("scp.example");
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509.checkIP("::1")).toBe("::1");
    expect(x509.verify(x509.publicKey)).toBe(true);
    const from = Date.parse(x509.validFrom);
    const to = Date.parse(x509.validTo);
    expect(Math.round((Date.now() - from) / 3_600_000)).toBe(24);
    expect(Math.round((to - Date.now()) / 86_400_000)).toBe(30);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("logs in over the wire with a real RSA key and uses the token", async () => {
    const token = await loginToken(fetchTrusted, server.url, server.credentials, "v2");
    const call = rawClient(fetchTrusted, server.url, { type: "token", token });
    expect(
      (await call("GET", "/janus/20190725/projects", { query: { role_type: "admin" } })).body.data.data[0].id,
    ).toBe(server.adminProjectId);
  });

  it("sends the server-delete 204 with its JSON body on the wire, which fetch then drops", async () => {
    const servers = (await signed()("GET", "/janus/20240725/servers", { query: { page_num: 1, page_size: 2 } })).body
      .data.data;
    const path = `/janus/20180725/servers/${servers[0].id}`;
    const body = JSON.stringify({ force: 1 });
    const headers = signatureHeaders({
      method: "DELETE",
      path,
      headers: { "Content-Type": "application/json" },
      bodySha256: sha256(body),
      credentials: server.credentials,
      amzDate: amzDate(Date.now()),
    });
    const raw = await rawExchange("DELETE", path, headers, body);
    const [head = "", payload = ""] = raw.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 204 /);
    expect(head.toLowerCase()).toContain("content-type: application/json");
    expect(JSON.parse(payload)).toMatchObject({ code: 0, message: "", data: { task_id: expect.any(String) } });
    const viaFetch = await signed()("DELETE", `/janus/20180725/servers/${servers[1].id}`, { json: { force: 1 } });
    expect(viaFetch.status).toBe(204);
    expect(viaFetch.body).toBeUndefined();
    expect((await signed()("GET", "/janus/20180725/azs")).status).toBe(200);
  });

  it("applies then drops the connection for apply-then-drop; resets before applying for reset", async () => {
    const edit = `/janus/20210725/servers/${server.goldenServerId}`;
    const id = server.faults.add({
      match: "PUT /janus/20210725/servers/{server_id}",
      kind: "apply-then-drop",
      count: 1,
    });
    const dropped = await signed()("PUT", edit, { json: { description: "changed-then-dropped" } }).catch(
      (e: unknown) => e,
    );
    expect(dropped).toBeInstanceOf(TypeError);
    expect(server.faults.list().some((f) => f.id === id)).toBe(false);
    expect(server.state().servers.find((s) => s.id === server.goldenServerId)?.description).toBe(
      "changed-then-dropped",
    );
    server.faults.add({ match: "PUT /janus/20210725/servers/{server_id}", kind: "reset", count: 1 });
    await expect(signed()("PUT", edit, { json: { description: "never" } })).rejects.toThrow(TypeError);
    expect(server.state().servers.find((s) => s.id === server.goldenServerId)?.description).toBe(
      "changed-then-dropped",
    );
    expect((await signed()("PUT", edit, { json: { description: "third" } })).status).toBe(200);
  });

  it("streams an upload over HTTPS and serves a Range download", async () => {
    const call = signed();
    const created = await call("POST", "/janus/20180725/images", {
      json: { azs: [...server.poolIds], disk_format: "aCloud", image_type: "private", owner_id: server.adminProjectId },
    });
    const id = created.body.data.id;
    const chunk = new Uint8Array(256 * 1024).map((_, i) => i % 253);
    const count = 24;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= count) {
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
    });
    const whole = new Uint8Array(chunk.length * count).map((_, i) => chunk[i % chunk.length] ?? 0);
    const upload = await call("PUT", `/janus/20180725/images/${id}/upload`, {
      body: stream,
      bodySha256: sha256(whole),
    });
    expect(upload.status).toBe(200);
    expect(server.state().images.find((i) => i.id === id)?.upload).toEqual({
      sizeBytes: whole.length,
      sha256: sha256(whole),
    });
    await call("POST", `/janus/20240725/images/${id}/export`);
    const tail = await call("GET", `/janus/20240725/images/${id}/download`, { headers: { Range: "bytes=1000000-" } });
    expect(tail.status).toBe(206);
    expect(tail.response.headers.get("content-length")).toBe(String(whole.length - 1_000_000));
    expect(sha256(new Uint8Array(await tail.response.arrayBuffer()))).toBe(sha256(whole.slice(1_000_000)));
  });

  it("drops an upload cut mid-body, keeps no part of it and takes the whole file afterwards", async () => {
    const created = await signed()("POST", "/janus/20180725/images", {
      json: { azs: [server.poolIds[0]], disk_format: "aCloud", image_type: "private" },
    });
    const id = created.body.data.id;
    const token = await loginToken(fetchTrusted, server.url, server.credentials, "v2");
    const url = new URL(`/janus/20180725/images/${id}/upload`, server.url);
    const head = [
      `PUT ${url.pathname} HTTP/1.1`,
      `Host: ${url.host}`,
      `Authorization: Token ${token}`,
      "Content-Type: application/octet-stream",
      `Content-Length: ${8 * 1024 * 1024}`,
    ];
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: server.ca });
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    socket.write(`${head.join("\r\n")}\r\n\r\n`);
    socket.write(new Uint8Array(3 * 1024 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const whole = new Uint8Array(5 * 1024 * 1024).fill(7);
    let answer: Awaited<ReturnType<ReturnType<typeof signed>>> | undefined;
    // The cut is seen by the simulator a moment later; until then the image is still taking the first upload.
    for (let tries = 0; tries < 50 && answer?.status !== 200; tries++) {
      answer = await signed()("PUT", url.pathname, { body: whole, bodySha256: sha256(whole) });
      if (answer.status !== 200) {
        expect(answer.status).toBe(409);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(answer?.status).toBe(200);
    expect(server.state().images.find((i) => i.id === id)?.upload).toEqual({
      sizeBytes: whole.length,
      sha256: sha256(whole),
    });
  });

  it("answers an upload refused before its body is read (401), then closes that connection", async () => {
    const created = await signed()("POST", "/janus/20180725/images", {
      json: { azs: [server.poolIds[0]], disk_format: "aCloud", image_type: "private" },
    });
    const stranger = rawClient(fetchTrusted, server.url, {
      type: "signature",
      credentials: { ...server.credentials, accessKey: "AKNOBODY" },
    });
    const refused = await stranger("PUT", `/janus/20180725/images/${created.body.data.id}/upload`, {
      body: new Uint8Array(2 * 1024 * 1024),
      bodySha256: sha256(""),
    });
    expect(refused.status).toBe(401);
    expect((await signed()("GET", "/janus/20180725/azs")).status).toBe(200);
  });

  it("answers an error fault to a large upload with the error, not a dropped connection", async () => {
    const created = await signed()("POST", "/janus/20180725/images", {
      json: { azs: [server.poolIds[0]], disk_format: "aCloud", image_type: "private" },
    });
    server.faults.add({
      match: "PUT /janus/20180725/images/*/upload",
      kind: "error",
      status: 503,
      retryAfterSec: 1,
      count: 1,
    });
    const body = new Uint8Array(4 * 1024 * 1024);
    const refused = await signed()("PUT", `/janus/20180725/images/${created.body.data.id}/upload`, {
      body,
      bodySha256: sha256(body),
    });
    expect(refused.status).toBe(503);
    expect(refused.response.headers.get("retry-after")).toBe("1");
    const accepted = await signed()("PUT", `/janus/20180725/images/${created.body.data.id}/upload`, {
      body,
      bodySha256: sha256(body),
    });
    expect(accepted.status).toBe(200);
  });

  it("takes faults and serves state through the control endpoint", async () => {
    const post = await fetchTrusted(`${server.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({
        match: "GET /janus/20180725/platform",
        kind: "error",
        status: 503,
        retryAfterSec: 3,
        count: 1,
      }),
    });
    expect(post.status).toBe(201);
    const failed = await signed()("GET", "/janus/20180725/platform");
    expect(failed.status).toBe(503);
    expect(failed.response.headers.get("retry-after")).toBe("3");
    const state = await (await fetchTrusted(`${server.url}/__sim/state`)).json();
    expect(state.requestCounts["GET /janus/20180725/platform"]).toBe(1);
    expect(state.faults).toEqual([]);
  });

  it("counts requests on the handle and over the control endpoint, with a reset for each phase", async () => {
    server.requestCounts({ reset: true });
    await signed()("GET", "/janus/20180725/azs");
    await signed()("GET", "/janus/20180725/azs");
    expect(server.requestCounts()).toEqual({ "GET /janus/20180725/azs": 2 });
    const reset = await fetchTrusted(`${server.url}/__sim/request-counts`, { method: "DELETE" });
    expect(await reset.json()).toEqual({ "GET /janus/20180725/azs": 2 });
    await signed()("GET", `/janus/20240725/servers/${server.goldenServerId}`);
    expect(await (await fetchTrusted(`${server.url}/__sim/request-counts`)).json()).toEqual({
      "GET /janus/20240725/servers/{server_id}": 1,
    });
  });
});

describe("closing", () => {
  it("closes even while a client holds a connection that has sent no request", async () => {
    const server = await startScpSimulator({ taskDurationMs: 0, serverCount: 1 });
    const { port } = new URL(server.url);
    const idle = connect({ host: "127.0.0.1", port: Number(port), rejectUnauthorized: false });
    await new Promise((resolve) => idle.once("secureConnect", resolve));
    const closed = await Promise.race([
      server.close().then(() => "closed"),
      new Promise((resolve) => setTimeout(() => resolve("hung"), 2_000)),
    ]);
    idle.destroy();
    expect(closed).toBe("closed");
  });
});
