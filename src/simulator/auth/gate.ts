import type { Caller, SimAccount } from "../model.js";
import { SimHttpError } from "../responses.js";
import { parseAmzDate } from "../time.js";
import type { World } from "../world.js";
import {
  canonicalRequest,
  expectedSignature,
  parseSignatureHeader,
  SIGNATURE_ALGORITHM,
  signaturesEqual,
} from "./signature.js";

/** The result of checking a request's credentials. */
export interface Authenticated {
  /** Who is calling. */
  readonly caller: Caller;
  /** Checks the body's hash against the signature (always true for tokens). */
  readonly verifyPayload: (sha256Hex: string) => boolean;
}

/** Checks the Authorization header (token or AK/SK); 401 when it does not hold. */
export function authenticate(world: World, request: Request, url: URL, nowMs: number): Authenticated {
  const header = request.headers.get("authorization");
  if (!header) {
    throw new SimHttpError(401, "authentication required: send a token or an AK/SK signature");
  }
  if (/^token /i.test(header)) {
    const token = world.tokens.lookup(header.slice(6).trim(), nowMs);
    if (!token) {
      throw new SimHttpError(401, "the token is invalid or has expired; log in again");
    }
    return { caller: callerFor(world, token.userId), verifyPayload: () => true };
  }
  if (header.startsWith(SIGNATURE_ALGORITHM)) {
    return signatureAuth(world, request, url, nowMs, header);
  }
  throw new SimHttpError(401, "unsupported Authorization scheme");
}

function signatureAuth(world: World, request: Request, url: URL, nowMs: number, header: string): Authenticated {
  const claim = parseSignatureHeader(header);
  if (!claim) {
    throw new SimHttpError(401, "malformed AWS4-HMAC-SHA256 Authorization header");
  }
  const account = world.inventory.accounts.find((a) => a.accessKey === claim.accessKey);
  if (!account) {
    throw new SimHttpError(401, "the access key is not known");
  }
  const amzDate = request.headers.get("x-amz-date") ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    throw new SimHttpError(401, "X-Amz-Date is missing or malformed");
  }
  if (Math.abs(nowMs - signedAt) > world.options.signatureMaxSkewMs) {
    throw new SimHttpError(401, "the request signature has expired: X-Amz-Date is too far from the server time");
  }
  if (claim.scopeDate !== amzDate.slice(0, 8)) {
    throw new SimHttpError(401, "the credential scope date does not match X-Amz-Date");
  }
  if (claim.signedHeaders.split(";").some((name) => name.trim().toLowerCase() === "host")) {
    throw new SimHttpError(401, "host cannot be a signed header");
  }
  const verifyPayload = (sha256Hex: string): boolean => {
    const canonical = canonicalRequest(request.method, url.pathname, request.headers, claim.signedHeaders, sha256Hex);
    return signaturesEqual(expectedSignature(claim, account.secretKey, amzDate, canonical), claim.signature);
  };
  return { caller: callerFor(world, account.userId), verifyPayload };
}

/** The caller a user id stands for. */
export function callerFor(world: World, userId: string): Caller {
  const user = world.inventory.users.find((u) => u.id === userId);
  const project = world.inventory.projects.find((p) => p.id === user?.project_id);
  if (!user || !project) {
    throw new SimHttpError(401, "the user no longer exists");
  }
  return { userId, projectId: project.id, roleType: project.role_type };
}

/** The account with this login name. */
export function accountByName(world: World, username: string): SimAccount | undefined {
  return world.inventory.accounts.find((a) => a.username === username);
}
