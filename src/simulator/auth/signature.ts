import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface SignatureClaim {
  /** AK. */
  readonly accessKey: string;
  /** Date of the credential scope (YYYYMMDD). */
  readonly scopeDate: string;
  /** Region of the scope (free-form; SCP takes it from the client). */
  readonly region: string;
  /** Service of the scope (free-form). */
  readonly service: string;
  /** The SignedHeaders value exactly as sent. */
  readonly signedHeaders: string;
  /** Hex signature. */
  readonly signature: string;
}

/** The algorithm prefix of a signed Authorization header. */
export const SIGNATURE_ALGORITHM = "AWS4-HMAC-SHA256";

/** Parses a signed Authorization header; undefined when it is not well formed. */
export function parseSignatureHeader(value: string): SignatureClaim | undefined {
  if (!value.startsWith(`${SIGNATURE_ALGORITHM} `)) {
    return undefined;
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGNATURE_ALGORITHM.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const scope = fields.get("Credential")?.split("/") ?? [];
  const [accessKey, scopeDate, region, service, terminator] = scope;
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (scope.length !== 5 || terminator !== "aws4_request" || !signedHeaders || !signature) {
    return undefined;
  }
  if (!accessKey || !scopeDate || !region || !service || !/^[0-9a-f]{64}$/i.test(signature)) {
    return undefined;
  }
  return { accessKey, scopeDate, region, service, signedHeaders, signature: signature.toLowerCase() };
}

/**
 * SCP's canonical request: the method, the raw path, an empty query line (the query string is never signed),
 * one `name:value` line per SignedHeaders entry that is present (absent ones are skipped), the SignedHeaders
 * value as sent, and the hex SHA-256 of the body bytes.
 */
export function canonicalRequest(
  method: string,
  path: string,
  headers: Headers,
  signedHeaders: string,
  payloadSha256Hex: string,
): string {
  let canonicalHeaders = "";
  for (const name of signedHeaders.split(";")) {
    const lower = name.trim().toLowerCase();
    const value = headers.get(lower);
    if (lower !== "" && value !== null) {
      canonicalHeaders += `${lower}:${value.trim()}\n`;
    }
  }
  return [method, path, "", canonicalHeaders, signedHeaders, payloadSha256Hex].join("\n");
}

/** The signature SCP expects for a canonical request, with AWS's key derivation. */
export function expectedSignature(
  claim: SignatureClaim,
  secretKey: string,
  amzDate: string,
  canonical: string,
): string {
  const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
  const stringToSign = [SIGNATURE_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
  const kDate = hmac(`AWS4${secretKey}`, claim.scopeDate);
  const kRegion = hmac(kDate, claim.region);
  const kService = hmac(kRegion, claim.service);
  const kSigning = hmac(kService, "aws4_request");
  return hmac(kSigning, stringToSign).toString("hex");
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Hex SHA-256 of text or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}
