import { randomUUID } from "node:crypto";
import { DEFAULTS, type ScpSignatureAuth } from "../options.js";
import { sha256Hex, signingKey, signRequest, toAmzDate } from "./sign-request.js";
import type { Authenticator } from "./with-auth.js";

const EMPTY_SHA256 = sha256Hex(new Uint8Array(0));

/**
 * Signs every request with the access key / secret key pair. A streamed body is hashed by its source's pre-pass.
 * The derived signing key changes once a day, so it is kept for the day it was made for.
 * @internal
 */
export function createSignatureAuth(auth: ScpSignatureAuth): Authenticator {
  const signedHeaders = auth.legacyCookie ? "cookie;x-amz-date" : "x-amz-date";
  const region = auth.region ?? DEFAULTS.region;
  const service = auth.service ?? DEFAULTS.service;
  let key: { dateStamp: string; key: Buffer } | undefined;
  const keyFor = (dateStamp: string) => {
    if (key?.dateStamp !== dateStamp) {
      key = { dateStamp, key: signingKey(auth.secretKey, dateStamp, region, service) };
    }
    return key.key;
  };
  return {
    async authorize(request) {
      const headers = new Headers(request.headers);
      const amzDate = toAmzDate(new Date());
      headers.set("X-Amz-Date", amzDate);
      if (auth.legacyCookie) {
        headers.set("Cookie", `aCMPAuthToken=${randomUUID().replace(/-/g, "")}`);
      }
      const payloadSha256 = request.source
        ? await request.source.sha256()
        : request.body === undefined || request.body.byteLength === 0
          ? EMPTY_SHA256
          : sha256Hex(request.body);
      const { authorization } = signRequest({
        method: request.method,
        path: request.url.pathname,
        headers,
        payloadSha256,
        signedHeaders,
        accessKey: auth.accessKey,
        secretKey: auth.secretKey,
        region,
        service,
        amzDate,
        key: keyFor(amzDate.slice(0, 8)),
      });
      headers.set("Authorization", authorization);
      return { ...request, headers };
    },
    // The whole header, and its signature alone: a server may echo just the part it found wrong.
    secrets: (authorized) => {
      const sent = authorized.headers.get("authorization");
      const signature = sent ? /Signature=([0-9a-f]+)/.exec(sent)?.[1] : undefined;
      return [sent, signature].filter((s): s is string => s !== undefined && s !== null);
    },
  };
}
