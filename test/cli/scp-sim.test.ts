// The scp-sim command: --version, the --json banner for scripts, a clean stop on SIGTERM at any moment after the
// banner, and a stop when the process that started it goes away (as `npm run simulator` does when killed).
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "undici";
import { beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { SDK_VERSION } from "../../src/index.js";
import { buildOnce, cliEnv, SCP_SIM, type Spawned, start } from "./cli-env.js";

beforeAll(() => {
  buildOnce();
}, 300_000);

interface Banner {
  url: string;
  pid: number;
  caFile: string;
  dataDir: string;
  poolIds: string[];
  credentials: { accessKey: string };
  token: { id: string };
  lab: unknown;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a command that runs scp-sim with --json; resolves with its banner, the first line it prints. */
async function withBanner(spawned: Spawned): Promise<Banner> {
  // SIGTERM, not SIGKILL: a test that fails midway still lets the simulator remove its files.
  onTestFinished(() => {
    spawned.child.kill("SIGTERM");
  });
  await vi.waitFor(
    async () => {
      if (spawned.child.exitCode !== null) {
        throw new Error(`exited early (${spawned.child.exitCode}): ${spawned.out.stderr}`);
      }
      expect(spawned.out.stdout).toContain("\n");
    },
    { timeout: 60_000, interval: 50 },
  );
  const banner = JSON.parse(spawned.out.stdout) as Banner;
  onTestFinished(() => {
    if (alive(banner.pid)) {
      process.kill(banner.pid, "SIGTERM");
    }
  });
  return banner;
}

function scpSim(args: readonly string[]): Spawned {
  return start(process.execPath, [SCP_SIM, "--port", "0", ...args], cliEnv());
}

describe("scp-sim", () => {
  it("--version prints the package's version", async () => {
    const ran = await scpSim(["--version"]).ended;
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: `${SDK_VERSION}\n` });
  });

  it("--json prints one line of JSON a script can use to connect; SIGTERM then stops it and removes its files", async () => {
    const sim = scpSim(["--json", "--pool-count", "3", "--backup-lab"]);
    const banner = await withBanner(sim);
    expect(banner).toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), pid: sim.child.pid });
    // Three HCI pools, plus the VMware pool the backup lab adds.
    const lab = banner.lab as { vmwarePoolId: string; proxies: Record<string, string> };
    expect(banner.poolIds.filter((id) => id !== lab.vmwarePoolId)).toHaveLength(3);
    expect(Object.keys(lab.proxies)).toHaveLength(3);
    const dispatcher = new Agent({ connect: { ca: readFileSync(banner.caFile, "utf8") } });
    const response = await fetch(`${banner.url}/janus/20180725/system/version`, {
      headers: { Authorization: `Token ${banner.token.id}` },
      dispatcher,
    } as RequestInit);
    await dispatcher.close();
    expect(response.status).toBe(200);
    sim.child.kill("SIGTERM");
    const ran = await sim.ended;
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim().split("\n")).toHaveLength(1);
    expect(ran.stderr).toContain("Stopping the simulator (SIGTERM)");
    expect(existsSync(banner.dataDir)).toBe(false);
  });

  it("a SIGTERM sent the moment the banner appears still stops it cleanly, its temporary folder removed", async () => {
    const sim = scpSim(["--json"]);
    let dataDir = "";
    sim.child.stdout.once("data", (chunk: Buffer) => {
      sim.child.kill("SIGTERM");
      dataDir = (JSON.parse(chunk.toString()) as Banner).dataDir;
    });
    const ran = await sim.ended;
    expect({ code: ran.code, signal: ran.signal }).toEqual({ code: 0, signal: null });
    expect(dataDir).toMatch(/scp-sim-/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("stops when its parent dies without passing a signal on (the parent SIGKILLed)", async () => {
    const parent = start("sh", ["-c", `"${process.execPath}" "${SCP_SIM}" --port 0 --json; true`], cliEnv());
    const banner = await withBanner(parent);
    expect(banner.pid).not.toBe(parent.child.pid);
    parent.child.kill("SIGKILL");
    await vi.waitFor(() => expect(alive(banner.pid)).toBe(false), { timeout: 20_000, interval: 100 });
    expect(existsSync(banner.dataDir)).toBe(false);
  });

  it("stops when `npm run simulator` is killed", async () => {
    const npm = start("npm", ["run", "-s", "simulator", "--", "--port", "0", "--json"], cliEnv());
    const banner = await withBanner(npm);
    process.kill(npm.child.pid as number, "SIGTERM");
    await vi.waitFor(() => expect(alive(banner.pid)).toBe(false), { timeout: 20_000, interval: 100 });
    expect(existsSync(banner.dataDir)).toBe(false);
  }, 90_000);
});
