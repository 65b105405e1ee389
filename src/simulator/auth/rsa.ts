import { constants, generateKeyPair, type KeyObject, privateDecrypt } from "node:crypto";

/** Which login a key pair serves: v1 (PKCS#1 v1.5) or v2 (OAEP). */
export type LoginKeyVersion = "v1" | "v2";

interface LoginKeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

// RSA key generation takes tens of milliseconds, so the pairs are made once per process, on first use.
const pairs = new Map<LoginKeyVersion, Promise<LoginKeyPair>>();

/** The RSA-2048 key pair of a login version. */
export function loginKeyPair(version: LoginKeyVersion): Promise<LoginKeyPair> {
  let pair = pairs.get(version);
  if (!pair) {
    pair = new Promise((resolve, reject) => {
      generateKeyPair("rsa", { modulusLength: 2048, publicExponent: 0x10001 }, (error, publicKey, privateKey) => {
        if (error) {
          reject(error);
        } else {
          resolve({ publicKey, privateKey });
        }
      });
    });
    pairs.set(version, pair);
  }
  return pair;
}

/** The modulus as hex with a trailing newline, as SCP serves it. */
export function modulusHex(publicKey: KeyObject, upperCase: boolean): string {
  const n = publicKey.export({ format: "jwk" }).n ?? "";
  const hex = Buffer.from(n, "base64url").toString("hex");
  return `${upperCase ? hex.toUpperCase() : hex}\n`;
}

/** Decrypts a hex password; undefined when it is not a valid ciphertext for the key. */
export function decryptPassword(version: LoginKeyVersion, privateKey: KeyObject, hex: string): string | undefined {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0) {
    return undefined;
  }
  const ciphertext = Buffer.from(hex, "hex");
  try {
    if (version === "v2") {
      const plain = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
        ciphertext,
      );
      return plain.toString("utf8");
    }
    // Node refuses PKCS#1 v1.5 decryption (CVE-2023-46809), so decrypt raw and remove the padding here.
    const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
    return stripPkcs1Type2(block)?.toString("utf8");
  } catch {
    return undefined;
  }
}

/** Removes `00 02 <at least 8 non-zero bytes> 00` from a decrypted block. */
export function stripPkcs1Type2(block: Buffer): Buffer | undefined {
  if (block[0] !== 0x00 || block[1] !== 0x02) {
    return undefined;
  }
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) {
    return undefined;
  }
  return block.subarray(separator + 1);
}
