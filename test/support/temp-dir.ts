import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

/** A temporary directory for the calling test file: made before its tests, removed with all it holds after them. */
export function useTempDir(prefix: string): { dir: string } {
  const state = { dir: "" };
  beforeAll(async () => {
    state.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}
