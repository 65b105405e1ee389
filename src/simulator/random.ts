import { createHash } from "node:crypto";

/**
 * A small deterministic pseudo-random source (sfc32) seeded from a string, so that one seed and one
 * sequence of requests always give the same ids and the same random choices.
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** Seeds the generator from any string (hashed, so similar seeds give unrelated streams). */
  constructor(seed: string) {
    const digest = createHash("sha256").update(seed).digest();
    this.#a = digest.readUInt32LE(0);
    this.#b = digest.readUInt32LE(4);
    this.#c = digest.readUInt32LE(8);
    this.#d = digest.readUInt32LE(12);
    for (let i = 0; i < 12; i++) {
      this.next32();
    }
  }

  /** The next unsigned 32-bit value. */
  next32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next32() / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) {
      throw new RangeError("pick() needs a non-empty list");
    }
    return item;
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) {
      out += this.next32().toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
  }

  /** `length` decimal digits, the first one not zero. */
  digits(length: number): string {
    let out = String(this.int(1, 9));
    while (out.length < length) {
      out += String(this.int(0, 9));
    }
    return out;
  }

  /** A UUID in the version-4 layout. */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
