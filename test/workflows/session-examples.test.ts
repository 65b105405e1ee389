// The backup and restore examples run against the embedded simulator, and their agents' data checks out.
import { afterEach, beforeAll, expect, test, vi } from "vitest";
import { stateDir } from "./session-env.js";

beforeAll(() => {
  vi.stubEnv("SCP_SIM_TASK_MS", "0");
  vi.stubEnv("SCP_URL", "");
});

afterEach(() => {
  vi.restoreAllMocks();
});

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return lines;
}

test("backup-vm takes a full and an incremental that reads only what changed, both verified by hash", async () => {
  vi.stubEnv("SCP_SDK_STATE_DIR", stateDir());
  const lines = capture();
  await import("../../examples/backup-vm.js");
  const result = JSON.parse(lines.at(-1) as string);
  expect(result.verified).toBe(true);
  expect(result.checkpointId).toBeGreaterThan(1);
  expect(result.incremental.bytes).toBeGreaterThan(0);
  expect(result.incremental.bytes).toBeLessThan(result.full.bytes);
});

test("restore-vm restores a full backup into a new VM whose disks hash like the backup", async () => {
  vi.stubEnv("SCP_SDK_STATE_DIR", stateDir());
  const lines = capture();
  await import("../../examples/restore-vm.js");
  const result = JSON.parse(lines.at(-1) as string);
  expect(result).toMatchObject({ disks: 2, verified: true });
  expect(result.written).toBeGreaterThan(0);
});
