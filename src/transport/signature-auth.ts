import { randomUUID } from "node:crypto";
import { DEFAULTS, type ScpSignatureAuth } from "../options.js";
import { withCall } from "./call.js";
import { sha256Hex, signRequest, toAmzDate } from "./sign-request.js";
import type { Authenticator } from "./with-auth.js";

const EMPTY = new Uint8Array(0);

/**
 * Signs every call with the access key / secret key pair. A streamed body is hashed by its source's pre-pass.
 * @internal
 */
export function createSignatureAuth(auth: ScpSignatureAuth): Authenticator {
  const signedHeaders = auth.legacyCookie ? "cookie;x-amz-date" : "x-amz-date";
  return {
    async authorize(call) {
      const headers = new Headers(call.headers);
      const amzDate = toAmzDate(new Date());
      headers.set("X-Amz-Date", amzDate);
      if (auth.legacyCookie) {
        headers.set("Cookie", `aCMPAuthToken=${randomUUID().replace(/-/g, "")}`);
      }
      const payloadSha256 = call.source ? await call.source.sha256() : sha256Hex(call.body ?? EMPTY);
      const { authorization } = signRequest({
        method: call.method,
        path: call.url.pathname,
        headers,
        payloadSha256,
        signedHeaders,
        accessKey: auth.accessKey,
        secretKey: auth.secretKey,
        region: auth.region ?? DEFAULTS.region,
        service: auth.service ?? DEFAULTS.service,
        amzDate,
      });
      headers.set("Authorization", authorization);
      return withCall(call, { headers });
    },
  };
}
