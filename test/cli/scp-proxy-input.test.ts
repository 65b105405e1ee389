// scp-proxy's exit codes for bad input (2) and refusals (3), with errors that name what to fix and never a secret.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findBackupProxies } from "../../src/index.js";
import { cliEnv, document, scpProxy, simulatorForCli, useSimulator } from "./cli-env.js";

const sim = useSimulator();

async function spec(name: string, text: string): Promise<string> {
  const path = join(sim.dir, name);
  await writeFile(path, text);
  return path;
}

describe("bad input exits 2 and names the field", () => {
  it("a spec value the API's schema refuses, found before the platform is contacted", async () => {
    const path = await spec(
      "bad-count.yaml",
      "fleetId: acme\nimageId: img-1\npools:\n  - azId: pool-a\n    count: -1\n",
    );
    // Nothing listens on this address: the spec is refused without contacting it.
    const ran = await scpProxy(["--json", "--url", "https://127.0.0.1:9", "fleet", "deploy", path], sim.env);
    expect(ran.code).toBe(2);
    expect(document(ran)).toMatchObject({
      error: { name: "CliInputError", exitCode: 2, source: path, issues: [{ path: "pools.0.count" }] },
    });
    expect(ran.stderr).toContain(`${path}: pools.0.count: `);
  });

  it("every problem of a spec at once, each by its path", async () => {
    const path = await spec("bad-many.json", JSON.stringify({ fleetId: "Bad Id", pools: [], vm: { slots: 0 } }));
    const ran = await scpProxy(["--json", ...sim.flags, "fleet", "plan", path], sim.env);
    expect(ran.code).toBe(2);
    const issues = (document(ran) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(["fleetId", "imageId", "pools", "vm.slots"]));
  });

  it("a spec that is not YAML, by line and column; a spec that cannot be read", async () => {
    const broken = await spec("broken.yaml", "fleetId: acme\npools: [\n  - azId: a\n");
    const ran = await scpProxy([...sim.flags, "fleet", "plan", broken], sim.env);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(new RegExp(`${broken}: line \\d+, column \\d+: `));
    const missing = await scpProxy([...sim.flags, "fleet", "plan", join(sim.dir, "none.yaml")], sim.env);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining("none.yaml: (file): cannot read it (ENOENT)"),
    });
  });

  it("flags: a malformed number, a value the workflow refuses, a missing required flag, destroy without --yes", async () => {
    const path = await spec("ok.yaml", "fleetId: acme\nimageId: img-1\npools:\n  - azId: pool-a\n    count: 1\n");
    const notANumber = await scpProxy([...sim.flags, "fleet", "deploy", path, "--concurrency", "many"], sim.env);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain("--concurrency");
    const zero = await scpProxy(["--json", ...sim.flags, "fleet", "deploy", path, "--concurrency", "0"], sim.env);
    expect(document(zero)).toMatchObject({ error: { exitCode: 2, issues: [{ path: "--concurrency" }] } });
    const noPool = await scpProxy([...sim.flags, "image", "import", "--file", path, "--name", "x"], sim.env);
    expect({ code: noPool.code, stderr: noPool.stderr }).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--pool"),
    });
    const destroy = await scpProxy(["--json", ...sim.flags, "fleet", "destroy", "acme"], sim.env);
    expect(document(destroy)).toMatchObject({ error: { exitCode: 2, issues: [{ path: "--yes" }] } });
    expect(destroy.code).toBe(2);
  });

  it("an image flag the workflow refuses is named as the flag", async () => {
    const ran = await scpProxy(
      ["--json", ...sim.flags, "image", "export", "--vm", "no/such", "--name", "x", "--file", join(sim.dir, "x.vma")],
      sim.env,
    );
    expect(ran.code).toBe(2);
    expect(document(ran)).toMatchObject({ error: { issues: [{ path: "--vm" }] } });
  });

  it("no address, no credentials, half a key pair", async () => {
    const noUrl = await scpProxy(["--json", "pools"], sim.env);
    expect(document(noUrl)).toMatchObject({ error: { exitCode: 2, issues: [{ path: "--url / SCP_URL" }] } });
    const noKeys = await scpProxy(["--json", ...sim.flags, "pools"], cliEnv());
    expect(document(noKeys)).toMatchObject({ error: { exitCode: 2, issues: [{ path: "credentials" }] } });
    const half = await scpProxy(["--json", ...sim.flags, "pools"], cliEnv({ SCP_ACCESS_KEY: "AK" }));
    expect(document(half)).toMatchObject({ error: { issues: [{ path: "--secret-key / SCP_SECRET_KEY" }] } });
    expect([noUrl.code, noKeys.code, half.code]).toEqual([2, 2, 2]);
  });
});

describe("a refusal by the platform or a preflight exits 3", () => {
  it("the fleet preflight refuses an image the platform does not have; nothing is created", async () => {
    const path = await spec(
      "no-image.yaml",
      `fleetId: acme\nimageId: img-none\npools:\n  - azId: ${sim.server.poolIds[0]}\n    count: 1\n`,
    );
    const ran = await scpProxy(["--json", ...sim.flags, "fleet", "deploy", path], sim.env);
    expect(ran.code).toBe(3);
    const { error } = document(ran) as { error: { name: string; checks: { ok: boolean; name: string }[] } };
    expect(error.name).toBe("ScpPreflightError");
    expect(error.checks.filter((c) => !c.ok).length).toBeGreaterThan(0);
    expect(ran.stderr).toContain("refused by its preflight; nothing was changed");
    expect(await findBackupProxies(sim.scp, { fleetId: "acme" })).toEqual([]);
  });

  it("an SCP too old for image export", async () => {
    const old = await simulatorForCli({ scpVersion: "6.10.0" });
    try {
      const args = ["--json", ...old.flags, "image", "export", "--vm", old.server.goldenServerId, "--name", "x"];
      const ran = await scpProxy([...args, "--file", join(old.dir, "x.vma")], old.env);
      expect(ran.code).toBe(3);
      expect(document(ran)).toMatchObject({
        error: {
          name: "ScpUnsupportedVersionError",
          exitCode: 3,
          message: expect.stringContaining("6.10.0"),
          requiredVersion: expect.any(String),
          actualVersion: "6.10.0",
        },
      });
    } finally {
      await old.close();
    }
  });

  it("a wrong secret key: the platform says 401, and the secret is printed nowhere", async () => {
    const secret = "Wrong-Secret-Key-0123456789";
    const env = cliEnv({ SCP_ACCESS_KEY: sim.server.credentials.accessKey });
    const ran = await scpProxy(["--json", ...sim.flags, "--secret-key", secret, "pools"], env);
    expect(ran.code).toBe(3);
    expect(document(ran)).toMatchObject({ error: { name: "ScpAuthError", status: 401 } });
    expect(ran.stderr).toContain("warning: --secret-key on the command line can be seen by other users");
    expect(`${ran.stdout}${ran.stderr}`).not.toContain(secret);
  });
});

describe("a failed call's JSON document names the call, whatever ended it", () => {
  /** What every failed call's document says of the call (the pools' GET here). */
  const poolsCall = { exitCode: 1, method: "GET", path: "/janus/20180725/azs", requestId: expect.any(String) };

  /** `scp-proxy --json … pools` while the simulator applies `rule`. */
  async function poolsUnder(rule: Parameters<typeof sim.server.faults.add>[0], args: string[] = []) {
    const fault = sim.server.faults.add(rule);
    try {
      return await scpProxy(["--json", ...sim.flags, ...args, "pools"], sim.env);
    } finally {
      sim.server.faults.remove(fault);
    }
  }

  it("a network error: the call, its code and whether it may have been applied", async () => {
    const ran = await poolsUnder({ match: "GET /janus/20180725/azs", kind: "reset" });
    expect(ran.code).toBe(1);
    expect(document(ran)).toMatchObject({
      error: {
        ...poolsCall,
        name: "ScpNetworkError",
        code: expect.any(String),
        outcome: expect.stringMatching(/^(unknown|not-sent)$/),
      },
    });
  });

  it("a timeout (--timeout-ms): the call, the limit it ran out of, and its request id", async () => {
    const latency = { match: "GET /janus/20180725/azs", kind: "latency", delayMs: 3_000 } as const;
    const ran = await poolsUnder(latency, ["--timeout-ms", "200"]);
    expect(ran.code).toBe(1);
    expect(document(ran)).toMatchObject({
      error: { ...poolsCall, name: "ScpTimeoutError", timeoutMs: 200, idle: false },
    });
  });

  it("a timeout that is not a whole number of 1 or more is refused before any call", async () => {
    for (const [args, env] of [
      [["--timeout-ms", "0"], sim.env],
      [[], { ...sim.env, SCP_TIMEOUT_MS: "1.5" }],
    ] as const) {
      const ran = await scpProxy(["--json", ...sim.flags, ...args, "pools"], env);
      expect(ran.code).toBe(2);
      expect(document(ran)).toMatchObject({
        error: { message: expect.stringMatching(/--timeout-ms.*must be a whole number >= 1/) },
      });
    }
  });

  it("a failed task, under the workflow it ended: its id and why", async () => {
    const fault = sim.server.faults.add({
      match: "POST /janus/20240725/images/{image_id}/export",
      kind: "task-failure",
    });
    try {
      const args = ["--json", ...sim.flags, "image", "export", "--vm", sim.server.goldenServerId, "--name", "failing"];
      const ran = await scpProxy([...args, "--file", join(sim.dir, "failing.vma")], sim.env);
      expect(ran.code).toBe(1);
      expect(document(ran)).toMatchObject({
        error: { exitCode: 1, cause: { name: "ScpTaskError", taskId: expect.any(String), reason: "failed" } },
      });
    } finally {
      sim.server.faults.remove(fault);
    }
  });
});
