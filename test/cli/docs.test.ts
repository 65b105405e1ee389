// docs/cli.md's walkthrough, run as written with `scp-sim` and `scp-proxy` on PATH as the installed commands.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../package/packed.js";
import { buildOnce, cliEnv, SCP_PROXY, SCP_SIM, start } from "./cli-env.js";

let work: string;

beforeAll(() => {
  buildOnce();
  work = mkdtempSync(join(tmpdir(), "scp-cli-docs-"));
  const bin = join(work, "bin");
  mkdirSync(bin);
  for (const [name, script] of [
    ["scp-proxy", SCP_PROXY],
    ["scp-sim", SCP_SIM],
  ] as const) {
    writeFileSync(join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  }
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The shell block that follows a `<!-- name -->` marker. */
function walkthrough(name: string): string {
  const doc = readFileSync(join(ROOT, "docs/cli.md"), "utf8");
  const block = new RegExp(`<!-- ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\``).exec(doc)?.[1];
  if (!block) {
    throw new Error(`docs/cli.md has no ${name} block`);
  }
  return block;
}

/** Runs a walkthrough with bash in a directory of its own, the commands on PATH; expects it to succeed. */
async function runWalkthrough(name: string): Promise<string> {
  const path = [join(work, "bin"), dirname(process.execPath), process.env.PATH ?? ""].join(":");
  const dir = join(work, name.replaceAll(" ", "-"));
  mkdirSync(dir);
  const shell = start("bash", ["-euo", "pipefail", "-c", `cd "${dir}"\n${walkthrough(name)}`], cliEnv({ PATH: path }));
  const ran = await shell.ended;
  expect({ code: ran.code, stderr: ran.code === 0 ? "" : ran.stderr }).toEqual({ code: 0, stderr: "" });
  return ran.stdout;
}

it("the walkthrough of docs/cli.md runs against scp-sim and does what it says", async () => {
  const ran = { stdout: await runWalkthrough("walkthrough") };
  expect(ran.stdout).toMatch(/^SCP 6\.11\.3 /m);
  expect(ran.stdout).toMatch(/Fleet demo on image \S+: 2 to create/);
  expect(ran.stdout).toContain("✓ fleet demo: deployed (created 2, kept 0, removed 0)");
  expect(ran.stdout).toContain("Fleet demo: 2 proxies, 2 ready");
  expect(ran.stdout).toContain("✓ deleted 2 proxies of fleet demo");
}, 180_000);

it("the backup walkthrough runs against scp-sim --backup-lab: check, a held full, an incremental, a restore", async () => {
  const stdout = await runWalkthrough("backup walkthrough");
  expect(stdout).toMatch(/^✓ VM \S+ can be backed up \(a full backup\)$/m);
  expect(stdout).toMatch(/^backup-proxy-a .* virtio0 of \S+ \(backup\), virtio1 of \S+ \(backup\)$/m);
  expect(stdout).toMatch(/^\{"offset":0,"length":\d+\}$/m);
  expect(stdout).toMatch(/^✓ Backup session \S+ of VM \S+: held$/m);
  expect(stdout).toMatch(/^ {2}areas {5}changed since checkpoint 1$/m);
  expect(stdout).toMatch(/^✓ committed: snapshot \S+, checkpoint 2: the next incremental is --since 2$/m);
  expect(stdout).toMatch(/^✓ Restore session \S+ into VM \S+: held$/m);
  expect(stdout).toMatch(/^✓ released: disks detached, lock released$/m);
  expect(stdout).toContain("Nothing left behind by crashed sessions.");
}, 180_000);
