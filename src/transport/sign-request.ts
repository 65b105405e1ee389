import { createHash, createHmac } from "node:crypto";

/** Everything the AK/SK signature covers. @internal */
export interface SignatureInput {
  method: string;
  /** Raw request path; the query string is never signed. */
  path: string;
  /** Headers as sent, including `X-Amz-Date`. */
  headers: Headers;
  /** Hex SHA-256 of the exact body bytes sent. */
  payloadSha256: string;
  /** Lower-case header names joined by `;`; names absent from `headers` are skipped. */
  signedHeaders: string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  /** `YYYYMMDD'T'HHMMSS'Z'`, the same value as the `X-Amz-Date` header. */
  amzDate: string;
  /** The signing key for the date, region and service, when the caller keeps one; derived otherwise. */
  key?: Buffer;
}

/** The intermediate strings and the result of a signature, for tests and debugging. @internal */
export interface Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** Hex SHA-256 of bytes or a string. @internal */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Derives the signing key of one day, region and service from the secret key (four chained HMACs).
 * @internal
 */
export function signingKey(secretKey: string, dateStamp: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretKey}`, dateStamp), region), service), "aws4_request");
}

/** Formats a date as SCP expects in `X-Amz-Date`. @internal */
export function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Signs a request the way SCP's verifier checks it: AWS4-HMAC-SHA256 with an empty canonical query string,
 * the host never signed, and SignedHeaders names that are absent skipped.
 * @internal
 */
export function signRequest(input: SignatureInput): Signature {
  const canonicalHeaders = input.signedHeaders
    .split(";")
    .filter((name) => input.headers.has(name))
    .map((name) => `${name}:${(input.headers.get(name) ?? "").trim()}\n`)
    .join("");
  const canonicalRequest = [
    input.method,
    input.path,
    "",
    canonicalHeaders,
    input.signedHeaders,
    input.payloadSha256,
  ].join("\n");
  const dateStamp = input.amzDate.slice(0, 8);
  const scope = `${dateStamp}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = input.key ?? signingKey(input.secretKey, dateStamp, input.region, input.service);
  const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  const authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${input.signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization };
}
