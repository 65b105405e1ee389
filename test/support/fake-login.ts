import { constants, generateKeyPairSync, type KeyObject, privateDecrypt } from "node:crypto";
import { HttpResponse, http } from "msw";
import { BASE } from "./msw.js";

/** Undoes PKCS#1 v1.5 type-2 padding (00 02 random… 00 message); Node refuses to do it for us. */
function unpadPkcs1(block: Buffer): string {
  if (block[0] !== 0 || block[1] !== 2) {
    throw new Error("bad padding");
  }
  const end = block.indexOf(0, 2);
  return block.subarray(end + 1).toString("utf8");
}

function decrypt(key: KeyObject, hex: string, version: "v1" | "v2"): string {
  const data = Buffer.from(hex, "hex");
  if (version === "v2") {
    return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, data).toString("utf8");
  }
  return unpadPkcs1(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, data));
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  return {
    privateKey,
    modulusHex: `${Buffer.from(jwk.n as string, "base64url")
      .toString("hex")
      .toUpperCase()}\n`,
  };
}

/** An SCP login endpoint with real RSA keys; counts calls and issues numbered tokens. */
export function fakeLogin(options: {
  username: string;
  password: string;
  v2?: boolean;
  expiresInMs?: number;
  /** The server writes its local time without a zone; this is how far its clock is from UTC. */
  serverClockOffsetMs?: number;
  /** Also send issued_at. */
  issuedAt?: boolean;
}) {
  const keys = { v1: keyPair(), v2: keyPair() };
  const calls = { publicKey: { v1: 0, v2: 0 }, authenticate: { v1: 0, v2: 0 }, tokens: [] as string[] };
  const login =
    (version: "v1" | "v2") =>
    async ({ request }: { request: Request }) => {
      calls.authenticate[version]++;
      const body = (await request.json()) as { auth: { passwordCredentials: { username: string; password: string } } };
      const { username, password } = body.auth.passwordCredentials;
      let plain = "";
      try {
        plain = decrypt(keys[version].privateKey, password, version);
      } catch {
        plain = "";
      }
      if (username !== options.username || plain !== options.password) {
        return HttpResponse.json({ code: 401, message: "username or password is wrong", data: {} }, { status: 401 });
      }
      const token = `tok${calls.tokens.length + 1}`.padEnd(32, "0");
      calls.tokens.push(token);
      const serverNow = Date.now() + (options.serverClockOffsetMs ?? 0);
      const local = (ms: number) => new Date(ms).toISOString().replace("Z", "");
      const expires = local(serverNow + (options.expiresInMs ?? 3_600_000));
      const issued = options.issuedAt ? { issued_at: local(serverNow) } : {};
      return HttpResponse.json({
        code: 0,
        message: "",
        data: { access: { token: { id: token, ...issued, expires, tenant: { id: "admin-project" } } } },
      });
    };
  const publicKey = (version: "v1" | "v2") => () => {
    calls.publicKey[version]++;
    return HttpResponse.json({ code: 0, message: "", data: { public_key: keys[version].modulusHex } });
  };
  const handlers = [
    http.get(`${BASE}/janus/public-key`, publicKey("v1")),
    http.post(`${BASE}/janus/authenticate`, login("v1")),
    ...(options.v2 === false
      ? []
      : [
          http.get(`${BASE}/janus/v2/public-key`, publicKey("v2")),
          http.post(`${BASE}/janus/v2/authenticate`, login("v2")),
        ]),
  ];
  const missing =
    options.v2 === false
      ? [
          http.get(`${BASE}/janus/v2/public-key`, () =>
            HttpResponse.json({ code: 404, message: "not found", data: {} }, { status: 404 }),
          ),
          http.post(`${BASE}/janus/v2/authenticate`, () =>
            HttpResponse.json({ code: 404, message: "not found", data: {} }, { status: 404 }),
          ),
        ]
      : [];
  return { handlers: [...handlers, ...missing], calls };
}
