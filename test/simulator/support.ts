import { constants, createHash, createHmac, createPublicKey, publicEncrypt } from "node:crypto";
import type { ScpSimulatorCredentials } from "../../src/simulator/index.js";

/** A fetch-shaped function (the in-process simulator's, or Node's with a TLS dispatcher). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A decoded answer. */
export interface ApiResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies.
  body: any;
  response: Response;
}

/** How a test client authenticates. */
export type TestAuth =
  | { type: "signature"; credentials: ScpSimulatorCredentials; signedHeaders?: string }
  | { type: "token"; token: string }
  | { type: "none" };

/** One call's details. */
export interface CallInit {
  query?: Record<string, string | number>;
  json?: unknown;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  bodySha256?: string;
  headers?: Record<string, string>;
  amzDate?: string;
}

/** Formats a date as X-Amz-Date. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Signs a request with SCP's AK/SK rules (written here independently of both the SDK and the simulator). */
export function signatureHeaders(input: {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodySha256: string;
  credentials: Pick<ScpSimulatorCredentials, "accessKey" | "secretKey">;
  amzDate: string;
  signedHeaders?: string;
  region?: string;
  service?: string;
  /** Puts a query into the canonical request, as stock SigV4 signers do (SCP never does). */
  canonicalQuery?: string;
}): Record<string, string> {
  const { amzDate: date, region = "regionOne", service = "sdk-api", signedHeaders = "x-amz-date" } = input;
  const all: Record<string, string> = { ...input.headers, "x-amz-date": date };
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = signedHeaders
    .split(";")
    .filter((name) => lower[name] !== undefined)
    .map((name) => `${name}:${lower[name]?.trim()}\n`)
    .join("");
  const canonical = [
    input.method,
    input.path,
    input.canonicalQuery ?? "",
    canonicalHeaders,
    signedHeaders,
    input.bodySha256,
  ].join("\n");
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, sha256(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${input.credentials.secretKey}`, date.slice(0, 8));
  for (const part of [region, service, "aws4_request"]) {
    key = hmac(key, part);
  }
  const signature = hmac(key, toSign).toString("hex");
  return {
    ...input.headers,
    "X-Amz-Date": date,
    Authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** A small raw client: JSON in, decoded JSON out, auth added. */
export function rawClient(fetchFn: FetchLike, baseUrl: string, auth: TestAuth, now: () => number = Date.now) {
  return async (method: string, path: string, init: CallInit = {}): Promise<ApiResult> => {
    const url = new URL(path, baseUrl);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      url.searchParams.set(k, String(v));
    }
    const body = init.json !== undefined ? new TextEncoder().encode(JSON.stringify(init.json)) : init.body;
    let headers: Record<string, string> = {
      ...(init.json !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    };
    if (auth.type === "token") {
      headers.authorization = `Token ${auth.token}`;
    } else if (auth.type === "signature") {
      const bodySha256 = init.bodySha256 ?? sha256(body instanceof Uint8Array ? body : new Uint8Array());
      const date = init.amzDate ?? amzDate(now());
      const sign = { method, path: url.pathname, headers, bodySha256, credentials: auth.credentials, amzDate: date };
      headers = signatureHeaders(auth.signedHeaders ? { ...sign, signedHeaders: auth.signedHeaders } : sign);
    }
    const requestInit = { method, headers, ...(body ? { body, duplex: "half" } : {}) } as RequestInit;
    const response = await fetchFn(url, requestInit);
    return { status: response.status, body: await decode(response), response };
  };
}

async function decode(response: Response): Promise<unknown> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) {
    return undefined;
  }
  const text = await response.text();
  return text === "" ? undefined : JSON.parse(text);
}

/** Logs in with the password (v1 PKCS#1 v1.5 or v2 OAEP) and returns the token id. */
export async function loginToken(
  fetchFn: FetchLike,
  baseUrl: string,
  credentials: Pick<ScpSimulatorCredentials, "username" | "password">,
  version: "v1" | "v2" = "v1",
): Promise<string> {
  const call = rawClient(fetchFn, baseUrl, { type: "none" });
  const prefix = version === "v1" ? "/janus" : "/janus/v2";
  const key = await call("GET", `${prefix}/public-key`);
  const password = encryptPassword(key.body.data.public_key, credentials.password, version);
  const login = await call("POST", `${prefix}/authenticate`, {
    json: { auth: { passwordCredentials: { username: credentials.username, password } } },
  });
  if (login.status !== 200) {
    throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return login.body.data.access.token.id;
}

/** Encrypts a password with a hex modulus (trailing newline tolerated), as hex. */
export function encryptPassword(modulusHex: string, password: string, version: "v1" | "v2"): string {
  const n = Buffer.from(modulusHex.trim(), "hex").toString("base64url");
  const key = createPublicKey({ key: { kty: "RSA", n, e: "AQAB" }, format: "jwk" });
  const padding = version === "v1" ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING;
  return publicEncrypt({ key, padding, oaepHash: "sha1" }, Buffer.from(password, "utf8")).toString("hex");
}

/** Hex SHA-256. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** Base64 of an orchestration YAML running `commands` on `vmIds`. */
export function orchestration(vmIds: readonly string[], commands: readonly string[]): string {
  const steps = commands.map(
    (cmd, i) =>
      `          - name: step-${i}\n            action: command\n            args:\n              cmd: ${JSON.stringify(cmd)}`,
  );
  const yaml = [
    "type: oneshot",
    "orchestration_version: 1",
    "jobs:",
    "  - name: init",
    `    vms: [${vmIds.join(", ")}]`,
    "    tasks:",
    "      - name: run",
    "        block:",
    ...steps,
  ].join("\n");
  return Buffer.from(yaml, "utf8").toString("base64");
}

/** The body of a VM made from an image: one core, 1 GiB, one NIC, the given disks. */
export function vmBody(
  azId: string,
  imageId: string,
  disks: readonly { id: string; size_mb: number }[],
  options: { powerOn?: 0 | 1; name?: string } = {},
) {
  return {
    az_id: azId,
    image_id: imageId,
    name: options.name ?? "test-vm",
    cores: 1,
    sockets: 1,
    memory_mb: 1024,
    disks,
    networks: [{ vif_id: "net0", connect: 1 }],
    power_on: options.powerOn ?? 0,
  };
}

/** Creates a VM from the public CentOS image; the answer carries its task and id (`uuids[0]`). */
export async function createVmFromImage(
  call: ReturnType<typeof rawClient>,
  azId: string,
  disks: readonly { id: string; size_mb: number }[],
  options: { powerOn?: 0 | 1; name?: string } = {},
): Promise<ApiResult> {
  const images = await call("GET", "/janus/20200725/images", { query: { name: "CentOS" } });
  return call("POST", "/janus/20220725/servers", { json: vmBody(azId, images.body.data.data[0].id, disks, options) });
}
