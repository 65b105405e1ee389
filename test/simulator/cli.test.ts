import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
    }
  }
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("scp-sim command line", () => {
  it("starts, prints how to connect, serves the printed token, and stops cleanly on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "scp-sim-cli-"));
    dirs.push(dataDir);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/scp-sim.ts", "--port", "0", "--seed", "7", "--data-dir", dataDir],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Press Ctrl-C")) {
          resolve();
        }
      });
      child.once("exit", (code) => reject(new Error(`scp-sim exited early (${code}): ${out}`)));
    });
    const url = /listening on (https:\/\/\S+)/.exec(out)?.[1] ?? "";
    const caPath = join(dataDir, "scp-sim-ca.pem");
    const token = /Token ([0-9a-f]{32})/.exec(out)?.[1] ?? "";
    expect(out).toMatch(/Golden VM id: +[0-9a-f-]{36}/);
    expect(out).toContain("/__sim/faults");
    const dispatcher = new Agent({ connect: { ca: readFileSync(caPath, "utf8") } });
    const response = await fetch(`${url}/janus/20240725/servers?page_size=1`, {
      headers: { Authorization: `Token ${token}` },
      dispatcher,
    } as RequestInit);
    expect(response.status).toBe(200);
    await dispatcher.close();
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(caPath)).toBe(false);
  });
});
