// Every example runs against the embedded simulator (instant tasks) and says what it did.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";

// Session journals of the backup examples go to a directory of this file's own.
const stateDir = mkdtempSync(join(tmpdir(), "scp-examples-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

beforeAll(() => {
  vi.stubEnv("SCP_SIM_TASK_MS", "0");
  vi.stubEnv("SCP_URL", "");
  vi.stubEnv("SCP_SDK_STATE_DIR", stateDir);
});

afterEach(() => {
  vi.restoreAllMocks();
});

function capture() {
  const lines: string[] = [];
  const take = (...args: unknown[]) =>
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  vi.spyOn(console, "log").mockImplementation(take);
  vi.spyOn(console, "table").mockImplementation(take);
  return lines;
}

test("publish-proxy-image prints a private image owned by the administrator", async () => {
  const lines = capture();
  await import("../examples/publish-proxy-image.js");
  const result = JSON.parse(lines.join("\n"));
  expect(result).toMatchObject({ reused: false, sizeBytes: expect.any(Number) });
  expect(result.imageId).toMatch(/^[0-9a-f-]{36}$/);
});

test("deploy-backup-proxy-fleet deploys one ready proxy per pool", async () => {
  const lines = capture();
  await import("../examples/deploy-backup-proxy-fleet.js");
  const table = JSON.parse(lines.at(-1) as string) as { ready: boolean }[];
  expect(table.length).toBeGreaterThanOrEqual(2);
  expect(table.every((row) => row.ready)).toBe(true);
});

test("inventory and destroy run against a fresh simulator", async () => {
  const lines = capture();
  await import("../examples/inventory.js");
  await import("../examples/destroy-backup-proxy-fleet.js");
  expect(lines.at(-1)).toBe("0 proxies targeted, 0 removed");
});

test("export-import-proxy-image moves the golden VM's VMA into a private administrator image", async () => {
  const lines = capture();
  await import("../examples/export-import-proxy-image.js");
  const { exported, imported } = JSON.parse(lines.at(-1) as string);
  expect(exported.sizeBytes).toBeGreaterThan(0);
  expect(imported).toMatchObject({ imageId: expect.stringMatching(/^[0-9a-f-]{36}$/), reused: false });
});

test("proxy-building-blocks runs a script, marks the VM as a backup proxy and unmarks it", async () => {
  const lines = capture();
  await import("../examples/proxy-building-blocks.js");
  expect(JSON.parse(lines.at(-1) as string)).toEqual({
    vmtools: 1,
    script: "finish",
    marked: "Backup Proxy",
    unmarked: expect.not.stringMatching(/^Backup Proxy$/),
  });
});

test("backup-vm takes a full and an incremental that reads only what changed, both verified by hash", async () => {
  const lines = capture();
  await import("../examples/backup-vm.js");
  const result = JSON.parse(lines.at(-1) as string);
  expect(result.verified).toBe(true);
  expect(result.checkpointId).toBeGreaterThan(1);
  expect(result.incremental.bytes).toBeGreaterThan(0);
  expect(result.incremental.bytes).toBeLessThan(result.full.bytes);
});

test("restore-vm restores a full backup into a new VM whose disks hash like the backup", async () => {
  const lines = capture();
  await import("../examples/restore-vm.js");
  const result = JSON.parse(lines.at(-1) as string);
  expect(result).toMatchObject({ disks: 2, verified: true });
  expect(result.written).toBeGreaterThan(0);
});

test("proxies-and-sweep picks a proxy with free slots, and finds nothing to sweep on a clean platform", async () => {
  const lines = capture();
  await import("../examples/proxies-and-sweep.js");
  expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
    proxy: expect.any(String),
    freeSlots: expect.any(Number),
    planned: 0,
    removed: 0,
    remaining: 0,
  });
});
