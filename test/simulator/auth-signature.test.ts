import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { SIGNATURE_VECTORS } from "../fixtures/signature-vectors.js";
import { amzDate, rawClient, sha256, signatureHeaders } from "./support.js";

const vectors = [...SIGNATURE_VECTORS];
const BASE = "https://scp.sig.test";
const NOW = Date.UTC(2026, 10, 27, 4, 55, 1);
const SERVERS = "/janus/20240725/servers";

function fromAmzDate(text: string): number {
  return Date.parse(
    `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`,
  );
}

function simAt(nowMs: number, credentials: { accessKey: string; secretKey: string } | undefined = undefined) {
  return createScpSimulator({ clock: () => nowMs, serverCount: 5, ...(credentials ? { credentials } : {}) });
}

describe("AK/SK signature verification", () => {
  for (const vector of vectors) {
    it(`accepts the reference vector "${vector.name}" and refuses it with one signature digit changed`, async () => {
      const sim = simAt(fromAmzDate(vector.amzDate), { accessKey: vector.accessKey, secretKey: vector.secretKey });
      const send = (authorization: string) =>
        sim.fetch(`${BASE}${vector.path}${vector.query ? `?${vector.query}` : ""}`, {
          method: vector.method,
          headers: { ...vector.headers, "X-Amz-Date": vector.amzDate, Authorization: authorization },
          ...(vector.body ? { body: vector.body } : {}),
        });
      const good = await send(vector.expected.authorization);
      expect(good.status, await good.clone().text()).not.toBe(401);
      const last = vector.expected.authorization.slice(-1);
      const bad = await send(`${vector.expected.authorization.slice(0, -1)}${last === "0" ? "1" : "0"}`);
      expect(bad.status).toBe(401);
    });
  }

  it("accepts a good signature and refuses a bad one, an unknown key and a stale date", async () => {
    const sim = simAt(NOW);
    const good = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => NOW);
    expect((await good("GET", SERVERS)).status).toBe(200);
    const wrongSecret = { ...sim.credentials, secretKey: `${sim.credentials.secretKey}x` };
    expect(
      (await rawClient(sim.fetch, BASE, { type: "signature", credentials: wrongSecret }, () => NOW)("GET", SERVERS))
        .status,
    ).toBe(401);
    const unknown = { ...sim.credentials, accessKey: "AKUNKNOWN00000000000" };
    const refused = await rawClient(
      sim.fetch,
      BASE,
      { type: "signature", credentials: unknown },
      () => NOW,
    )("GET", SERVERS);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ errcode: "401", message: expect.stringMatching(/access key/), data: {} });
    expect((await good("GET", SERVERS, { amzDate: amzDate(NOW - 16 * 60_000) })).status).toBe(401);
    expect((await good("GET", SERVERS, { amzDate: amzDate(NOW + 16 * 60_000) })).status).toBe(401);
    expect((await good("GET", SERVERS, { amzDate: amzDate(NOW - 14 * 60_000) })).status).toBe(200);
  });

  it("leaves the query string out of the signature", async () => {
    const sim = simAt(NOW);
    const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials }, () => NOW);
    const page = await call("GET", SERVERS, { query: { page_size: 5, page_num: 1 } });
    expect(page.status).toBe(200);
    expect(page.body.data.page_size).toBe(5);
    // A signer that puts the query into the canonical request (a stock SigV4 signer) is refused.
    const date = amzDate(NOW);
    const headers = signatureHeaders({
      method: "GET",
      path: SERVERS,
      canonicalQuery: "page_size=5",
      headers: {},
      bodySha256: sha256(""),
      credentials: sim.credentials,
      amzDate: date,
    });
    expect((await sim.fetch(`${BASE}${SERVERS}?page_size=5`, { headers })).status).toBe(401);
  });

  it("skips SignedHeaders names that are absent and checks those that are present", async () => {
    const sim = simAt(NOW);
    const absent = rawClient(
      sim.fetch,
      BASE,
      { type: "signature", credentials: sim.credentials, signedHeaders: "path;x-amz-date" },
      () => NOW,
    );
    expect((await absent("GET", SERVERS)).status).toBe(200);
    const date = amzDate(NOW);
    const cookie = "aCMPAuthToken=0123456789abcdef";
    const sign = {
      method: "GET",
      path: SERVERS,
      bodySha256: sha256(""),
      credentials: sim.credentials,
      amzDate: date,
      signedHeaders: "cookie;x-amz-date",
    };
    const headers = signatureHeaders({ ...sign, headers: { Cookie: cookie } });
    expect((await sim.fetch(`${BASE}${SERVERS}`, { headers })).status).toBe(200);
    expect((await sim.fetch(`${BASE}${SERVERS}`, { headers: { ...headers, Cookie: `${cookie}ff` } })).status).toBe(401);
  });

  it("hashes the body as received and never accepts host as a signed header", async () => {
    const sim = simAt(NOW);
    const date = amzDate(NOW);
    const path = `/janus/20180725/servers/${sim.goldenServerId}/stop`;
    const body = JSON.stringify({ force: 0 });
    const sign = { method: "POST", path, credentials: sim.credentials, amzDate: date };
    const headers = signatureHeaders({
      ...sign,
      headers: { "Content-Type": "application/json" },
      bodySha256: sha256(body),
    });
    const tampered = await sim.fetch(`${BASE}${path}`, { method: "POST", headers, body: JSON.stringify({ force: 1 }) });
    expect(tampered.status).toBe(401);
    expect((await sim.fetch(`${BASE}${path}`, { method: "POST", headers, body })).status).toBe(201);
    const withHost = signatureHeaders({
      ...sign,
      headers: { host: "scp.sig.test" },
      bodySha256: sha256(body),
      signedHeaders: "host;x-amz-date",
    });
    const refused = await sim.fetch(`${BASE}${path}`, { method: "POST", headers: withHost, body });
    expect(refused.status).toBe(401);
    expect((await refused.json()).message).toMatch(/host/);
  });

  it("never puts the secret key into an error message", async () => {
    const sim = simAt(NOW);
    const wrong = { ...sim.credentials, secretKey: "not-the-secret" };
    const result = await rawClient(
      sim.fetch,
      BASE,
      { type: "signature", credentials: wrong },
      () => NOW,
    )("GET", SERVERS);
    expect(JSON.stringify(result.body)).not.toContain(sim.credentials.secretKey);
    expect(JSON.stringify(result.body)).not.toContain("not-the-secret");
  });
});
