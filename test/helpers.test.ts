// The exported helpers that take no client: what they answer, and that bad input is a typed refusal.
import { expect, test } from "vitest";
import { compareVersions, describeProblem, parseScpVersion, ScpValidationError } from "../src/index.js";

test("compareVersions orders versions and refuses what is not one instead of answering NaN", () => {
  expect(compareVersions("6.11.3", "6.10.0")).toBeGreaterThan(0);
  expect(compareVersions("6.11", "6.11.0")).toBe(0);
  expect(compareVersions("6.8.0", "6.11.3")).toBeLessThan(0);
  // Every part counts, as the simulator's version gates count them (one comparer for both).
  expect(compareVersions("6.11.3.1", "6.11.3")).toBeGreaterThan(0);
  expect(compareVersions("6.11.3.0", "6.11.3")).toBe(0);
  for (const [a, b] of [
    ["6.11.3", "6.11.3-beta"],
    ["abc", "6.11.3"],
    ["", "1"],
    [6, "1"],
    ["1.2.", "1"],
  ]) {
    expect(() => compareVersions(a as string, b as string)).toThrow(ScpValidationError);
  }
});

test("parseScpVersion reads x.y.z out of any text and refuses what is not text", () => {
  expect(parseScpVersion("SCP6.11.3B-2025-03-01")).toBe("6.11.3");
  expect(parseScpVersion("no version")).toBeUndefined();
  for (const bad of [Symbol("v"), 6, null, { toString: () => "6.1.1" }]) {
    expect(() => parseScpVersion(bad as unknown as string)).toThrow(ScpValidationError);
  }
});

test("describeProblem words each problem and refuses what is not one instead of answering undefined", () => {
  expect(describeProblem({ kind: "vmtools", state: "failed" })).toBe("vmtools failed");
  expect(describeProblem({ kind: "not-marked", osName: undefined })).toBe('os_name is "", not "Backup Proxy"');
  for (const bad of [16, null, {}, { kind: "on-fire" }, { kind: "vmtools" }, { kind: "not-owned" }]) {
    expect(() => describeProblem(bad as never)).toThrow(ScpValidationError);
  }
});
