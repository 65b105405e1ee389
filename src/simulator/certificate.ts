import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";
import { bits, boolean, context, integer, octets, oid, sequence, set, time, utf8 } from "./der.js";

/** Options for {@link generateSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** DNS names and IP addresses the certificate is valid for. */
  readonly hosts?: readonly string[];
  /** Common name of subject and issuer. */
  readonly commonName?: string;
  /** How long the certificate stays valid from now. */
  readonly validForMs?: number;
}

/** A certificate and its private key, both PEM. */
export interface SelfSignedCertificate {
  /** The certificate (PEM); trust it as a CA to reach a server that presents it. */
  readonly cert: string;
  /** The EC P-256 private key (PKCS#8 PEM). */
  readonly key: string;
}

const DAY_MS = 86_400_000;
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

/**
 * Makes a self-signed EC P-256 certificate (CA:TRUE, so it can be trusted directly as a CA) for the given
 * hosts, valid from one day ago. Built with node:crypto alone: no openssl binary, no dependency.
 */
export function generateSelfSignedCertificate(options: SelfSignedCertificateOptions = {}): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = sequence(set(sequence(oid("2.5.4.3"), utf8(options.commonName ?? "scp-simulator"))));
  const now = Date.now();
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const tbs = sequence(
    context(0, integer(Buffer.from([2])), true),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name,
    sequence(time(new Date(now - DAY_MS)), time(new Date(now + (options.validForMs ?? 30 * DAY_MS)))),
    name,
    spki,
    context(3, sequence(...extensions(spki, options.hosts ?? DEFAULT_HOSTS)), true),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, algorithm, bits(signature));
  return { cert: pem("CERTIFICATE", der), key: String(privateKey.export({ type: "pkcs8", format: "pem" })) };
}

function extensions(spki: Buffer, hosts: readonly string[]): Buffer[] {
  // The key identifier is the SHA-1 of the whole SPKI: any stable hash of the key serves (RFC 5280 §4.2.1.2).
  const keyId = createHash("sha1").update(spki).digest();
  return [
    sequence(oid("2.5.29.19"), boolean(true), octets(sequence(boolean(true)))),
    // keyUsage: digitalSignature (bit 0) and keyCertSign (bit 5).
    sequence(oid("2.5.29.15"), boolean(true), octets(Buffer.from([0x03, 0x02, 0x02, 0x84]))),
    sequence(oid("2.5.29.14"), octets(octets(keyId))),
    sequence(oid("2.5.29.35"), octets(sequence(context(0, keyId, false)))),
    sequence(oid("2.5.29.17"), octets(sequence(...hosts.map(altName)))),
  ];
}

function altName(host: string): Buffer {
  const family = isIP(host);
  if (family === 4) {
    return context(7, Buffer.from(host.split(".").map(Number)), false);
  }
  if (family === 6) {
    return context(7, ipv6Bytes(host), false);
  }
  return context(2, Buffer.from(host, "ascii"), false);
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => {
    out.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  });
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
