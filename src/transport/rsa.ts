import { constants, createPublicKey, type KeyObject, publicEncrypt } from "node:crypto";

/** Which password login API; v2 (SCP 6.11.3) uses RSA-OAEP, v1 PKCS#1 v1.5. */
export type LoginVersion = "v1" | "v2";

/**
 * Builds an RSA public key from SCP's hex modulus (exponent 65537). The modulus arrives with a trailing
 * newline, sometimes as a literal `\n`; both are stripped.
 * @internal
 */
export function publicKeyFromModulus(modulusHex: string): KeyObject {
  const hex = modulusHex
    .replace(/\\n/g, "")
    .replace(/\s+/g, "")
    .replace(/^(00)+/, "");
  if (hex.length === 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new TypeError("public key modulus is not hexadecimal");
  }
  const modulus = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, "hex");
  return createPublicKey({ key: { kty: "RSA", n: modulus.toString("base64url"), e: "AQAB" }, format: "jwk" });
}

/**
 * Encrypts a password for SCP's login and returns lower-case hex.
 * @internal
 */
export function encryptPassword(key: KeyObject, password: string, version: LoginVersion): string {
  const padding = version === "v2" ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING;
  // The OAEP hash is not documented; SHA-1 is the common default and what Node uses unless told otherwise.
  const options = version === "v2" ? { key, padding, oaepHash: "sha1" } : { key, padding };
  return publicEncrypt(options, Buffer.from(password, "utf8")).toString("hex");
}
