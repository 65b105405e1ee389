/**
 * The few DER (ASN.1) encoders an X.509 certificate needs. Each returns the full tag-length-value bytes.
 */

/** Encodes a tag with its definite length and content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
      bytes.unshift(rest % 256);
    }
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** SET of the given encoded elements (callers pass them already in DER order). */
export function set(...items: Uint8Array[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** INTEGER from unsigned big-endian bytes (a leading zero is added when the high bit is set). */
export function integer(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) {
    start++;
  }
  const trimmed = Buffer.from(bytes.subarray(start));
  const needsPad = (trimmed[0] ?? 0) & 0x80;
  return tlv(0x02, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** OBJECT IDENTIFIER from dotted text such as `1.2.840.10045.4.3.2`. */
export function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const chunk: number[] = [];
    let value = part;
    do {
      chunk.unshift(value & 0x7f);
      value = Math.floor(value / 128);
    } while (value > 0);
    for (let i = 0; i < chunk.length - 1; i++) {
      chunk[i] = (chunk[i] ?? 0) | 0x80;
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** BOOLEAN. */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** UTF8String. */
export function utf8(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, "utf8"));
}

/** OCTET STRING. */
export function octets(content: Uint8Array): Buffer {
  return tlv(0x04, content);
}

/** BIT STRING with no unused bits. */
export function bits(content: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
}

/** UTCTime (years 1950–2049) or GeneralizedTime, as X.509 validity requires. */
export function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) {
    return tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"));
  }
  return tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

/** A context-specific tag: constructed (EXPLICIT wrapping) or primitive (IMPLICIT content). */
export function context(tagNumber: number, content: Uint8Array, constructed: boolean): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | tagNumber, content);
}
