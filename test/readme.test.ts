import { readFile } from "node:fs/promises";
import { expect, test, vi } from "vitest";

test("the README's quick start is examples/quick-start.ts, word for word", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBe(await readFile(new URL("../examples/quick-start.ts", import.meta.url), "utf8"));
});

test("the quick start runs as written and shows a ready proxy per pool", async () => {
  const table = vi.spyOn(console, "table").mockImplementation(() => {});
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  await import("../examples/quick-start.js");
  expect(log).toHaveBeenCalledWith("SCP", "6.11.3");
  const rows = table.mock.calls[0]?.[0] as { name: string; ready: boolean }[];
  expect(rows).toHaveLength(2);
  expect(rows.every((r) => r.ready && r.name.startsWith("backup-"))).toBe(true);
});
