import { ScpValidationError } from "./errors/call.js";

/** A version as {@link compareVersions} takes it: dot-separated whole numbers (`6.11`, `6.11.3`, `6.11.3.1`). */
export const VERSION_PATTERN = /^\d+(\.\d+)*$/;

function refuse(subject: string, message: string): never {
  throw new ScpValidationError({ subject, issues: [{ path: [], message }] });
}

/**
 * Pulls `major.minor.patch` out of an SCP version string such as `SCP6.11.3B-2025-03-01…` or `6.10.0R1`.
 * @returns undefined when there is no such number.
 * @throws {@link ScpValidationError} when `text` is not a string.
 */
export function parseScpVersion(text: string): string | undefined {
  if (typeof text !== "string") {
    refuse("version text", "must be a string");
  }
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}` : undefined;
}

/**
 * Compares two dotted versions part by part, every part (missing parts count as 0, so `6.11` equals `6.11.0`):
 * negative when `a` is older, 0 when equal, positive when newer.
 * @throws {@link ScpValidationError} when either is not such a version (it would compare as NaN).
 */
export function compareVersions(a: string, b: string): number {
  for (const [name, v] of [
    ["a", a],
    ["b", b],
  ] as const) {
    if (typeof v !== "string" || !VERSION_PATTERN.test(v)) {
      refuse(`version ${name}`, "must be a version such as 6.11.3");
    }
  }
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}
