import type { KeyObject } from "node:crypto";
import { ScpAuthError, ScpNotFoundError } from "../errors/api.js";
import type { ScpTokenAuth } from "../options.js";
import { AuthenticateResultGate, PublicKeyGate } from "../schemas.js";
import type { HttpClient } from "./http-client.js";
import type { Observer } from "./observe.js";
import { encryptPassword, type LoginVersion, publicKeyFromModulus } from "./rsa.js";
import type { SendCall } from "./run-call.js";
import type { LoginResult } from "./token-session.js";
import { unwrapData } from "./unwrap.js";

/** Reads one of SCP's times; SCP writes them without a zone, and UTC is only a guess. */
function parseTime(text: string | undefined): number | undefined {
  if (!text) {
    return undefined;
  }
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An expiry closer than this is not trusted (a zone or clock mismatch, most likely); 401s renew the token then. */
const MIN_TRUSTED_LIFETIME_MS = 2 * 60_000;

/**
 * When a token stops working, on the local clock. `expires - issued_at` is the lifetime whatever the server's zone
 * or clock skew; with `expires` alone it is read as UTC. An expiry that looks already due is dropped (undefined):
 * then a 401 triggers the renewal instead of every call logging in.
 * @internal
 */
export function tokenExpiry(
  token: { issued_at?: string; expires?: string },
  now: number = Date.now(),
): number | undefined {
  const expires = parseTime(token.expires);
  const issued = parseTime(token.issued_at);
  const at = expires !== undefined && issued !== undefined ? now + (expires - issued) : expires;
  return at !== undefined && at - now >= MIN_TRUSTED_LIFETIME_MS ? at : undefined;
}

/**
 * Returns the login procedure for token auth: the public key is fetched once per version and cached (the
 * endpoint is rate limited), the password is RSA-encrypted, and `auto` tries v2 before falling back to v1.
 * @internal
 */
export function createTokenLogin(
  send: SendCall,
  http: HttpClient,
  auth: ScpTokenAuth,
  observer: Observer,
): () => Promise<LoginResult> {
  let version: LoginVersion | undefined =
    auth.loginVersion === "v1" || auth.loginVersion === "v2" ? auth.loginVersion : undefined;
  const keys = new Map<LoginVersion, Promise<KeyObject>>();

  const publicKey = (v: LoginVersion): Promise<KeyObject> => {
    let key = keys.get(v);
    if (!key) {
      const path = v === "v2" ? "/janus/v2/public-key" : "/janus/public-key";
      key = send((init) => http.GET(path, { ...init })).then((called) =>
        publicKeyFromModulus(unwrapData(called, PublicKeyGate).public_key),
      );
      // A failed fetch is not cached.
      key.catch(() => keys.delete(v));
      keys.set(v, key);
    }
    return key;
  };

  const attempt = async (v: LoginVersion): Promise<LoginResult> => {
    const password = encryptPassword(await publicKey(v), auth.password, v);
    const body = { auth: { passwordCredentials: { username: auth.username, password } } };
    const path = v === "v2" ? "/janus/v2/authenticate" : "/janus/authenticate";
    // The ciphertext is as good as the password (it can be replayed): neither may show in an error.
    const called = await send((init) => http.POST(path, { body, ...init }), undefined, {
      secrets: [password, auth.password],
    });
    const data = unwrapData(called, AuthenticateResultGate);
    observer.log("info", { requestId: called.record.requestId, loginVersion: v }, "logged in");
    return { token: data.access.token.id, expiresAt: tokenExpiry(data.access.token) };
  };

  const loginWith = async (v: LoginVersion): Promise<LoginResult> => {
    try {
      return await attempt(v);
    } catch (error) {
      // The platform may have rotated its key since we cached it: fetch it again, once.
      if (error instanceof ScpAuthError && error.status === 401) {
        keys.delete(v);
        return attempt(v);
      }
      throw error;
    }
  };

  return async () => {
    if (version !== undefined) {
      return loginWith(version);
    }
    try {
      const result = await loginWith("v2");
      version = "v2";
      return result;
    } catch (error) {
      if (!(error instanceof ScpNotFoundError)) {
        throw error;
      }
      observer.log("warn", { requestId: error.requestId, path: error.path }, "v2 login not available; using v1");
      version = "v1";
      return loginWith("v1");
    }
  };
}
