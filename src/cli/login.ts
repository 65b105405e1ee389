import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import type { ScpSimulatorServer } from "../simulator/index.js";

/** A token and when it stops working. */
export interface CliToken {
  readonly id: string;
  readonly expires: string;
}

/** Logs the administrator in through the simulator's own v1 login (RSA PKCS#1 v1.5), so curl users get a token. */
export async function loginForCurl(server: ScpSimulatorServer): Promise<CliToken> {
  const base = "https://scp-sim.local";
  const { fetch } = server.simulator;
  const key = (await (await fetch(`${base}/janus/public-key`)).json()) as { data: { public_key: string } };
  const n = Buffer.from(key.data.public_key.trim(), "hex").toString("base64url");
  const publicKey = createPublicKey({ key: { kty: "RSA", n, e: "AQAB" }, format: "jwk" });
  const password = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(server.credentials.password),
  ).toString("hex");
  const response = await fetch(`${base}/janus/authenticate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: { passwordCredentials: { username: server.credentials.username, password } } }),
  });
  const body = (await response.json()) as { data: { access: { token: { id: string; expires: string } } } };
  return body.data.access.token;
}
