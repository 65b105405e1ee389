import { z } from "zod";
import type { AuthenticateResult } from "../../generated/schema.js";
import { accountByName, callerFor } from "../auth/gate.js";
import { decryptPassword, type LoginKeyVersion, loginKeyPair, modulusHex } from "../auth/rsa.js";
import type { Handler, HandlerContext } from "../context.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { scpTime } from "../time.js";

const WINDOW_MS = 60_000;

const authenticateBody = z.object({
  auth: z.object({
    passwordCredentials: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  }),
});

/** `GET /janus/public-key` and `GET /janus/v2/public-key`: the modulus, rate limited together. */
function publicKey(version: LoginKeyVersion): Handler {
  return async (ctx) => {
    if (version === "v2" && hasForbiddenHeaders(ctx.request)) {
      throw new SimHttpError(401, "the v2 public key must be requested without a legacy cookie or X-Forwarded-For");
    }
    countPublicKeyRead(ctx);
    const { publicKey } = await loginKeyPair(version);
    // v1 answers upper-case hex and v2 lower-case, so clients must accept both.
    return ok(ctx.envelope, { public_key: modulusHex(publicKey, version === "v1") });
  };
}

function hasForbiddenHeaders(request: Request): boolean {
  const cookie = request.headers.get("cookie") ?? "";
  return /aCMP/i.test(cookie) || request.headers.has("x-forwarded-for");
}

function countPublicKeyRead(ctx: HandlerContext): void {
  const window = ctx.world.publicKeyWindow;
  if (ctx.nowMs - window.startMs >= WINDOW_MS) {
    window.startMs = ctx.nowMs;
    window.count = 0;
  }
  window.count++;
  const limit = ctx.world.options.publicKeyRateLimitPerMinute;
  if (window.count > limit) {
    throw new SimHttpError(403, `public-key requests are limited to ${limit} a minute; blocked until the minute ends`);
  }
}

/** `POST /janus/authenticate` (PKCS#1 v1.5) and `POST /janus/v2/authenticate` (OAEP). */
function authenticate(version: LoginKeyVersion): Handler {
  return async (ctx) => {
    const body = readJson(ctx, authenticateBody);
    const { username, password } = body.auth.passwordCredentials;
    const account = accountByName(ctx.world, username);
    const { privateKey } = await loginKeyPair(version);
    const plain = decryptPassword(version, privateKey, password);
    if (!account || plain === undefined || plain !== account.password) {
      throw new SimHttpError(401, "wrong user name or password");
    }
    return ok(ctx.envelope, loginResult(ctx, account.userId));
  };
}

function loginResult(ctx: HandlerContext, userId: string): AuthenticateResult {
  const { world } = ctx;
  const token = world.tokens.issue(userId, ctx.nowMs, world.random);
  const caller = callerFor(world, userId);
  const project = world.inventory.projects.find((p) => p.id === caller.projectId);
  const user = world.inventory.users.find((u) => u.id === userId);
  return {
    access: {
      token: {
        id: token.id,
        issued_at: scpTime(token.issuedAtMs),
        expires: scpTime(token.expiresAtMs),
        audit_ids: [world.random.hex(22)],
        tenant: { id: caller.projectId, name: project?.name ?? "", description: "", enabled: true },
      },
      user: { id: userId, name: user?.name ?? "", username: user?.name ?? "", roles: [{ name: caller.roleType }] },
    },
  };
}

/** Handlers of the login operations. */
export const authHandlers: Readonly<Record<string, Handler>> = {
  getPublicKey: publicKey("v1"),
  getPublicKeyV2: publicKey("v2"),
  authenticate: authenticate("v1"),
  authenticateV2: authenticate("v2"),
};
