// Progress and colour on a terminal (a pseudo-terminal made by util-linux `script`), and neither without one.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { importProxyImage } from "../../src/index.js";
import { cliEnv, type Ran, scpProxy, startOnTerminal, useSimulator } from "./cli-env.js";

const sim = useSimulator();
let vma: string;

beforeAll(async () => {
  vma = join(sim.dir, "proxy.vma");
  await writeFile(vma, Buffer.alloc(3 * 1024 * 1024, 5));
});

/** Runs scp-proxy with stdin, stdout and stderr on a pseudo-terminal; the output is what the terminal got. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return startOnTerminal(args, env).ended;
}

const ESC = "\x1b";
/** Select Graphic Rendition (colour and bold), not the cursor moves a live view also makes. */
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);

function importArgs(name: string): string[] {
  return [...sim.flags, "image", "import", "--file", vma, "--name", name, "--pool", sim.server.poolIds[0] as string];
}

it("on a terminal, a transfer draws a live bar (phase, bytes, rate, ETA) and the result is coloured", async () => {
  const ran = await onTerminal(importArgs("on-tty"), sim.env);
  expect(ran.code).toBe(0);
  expect(ran.stdout).toMatch(/upload.*█+ 100% 3\.0 MiB\/3\.0 MiB +[\d.]+ (B|KiB|MiB|GiB)\/s +(ETA|in) /);
  expect(ran.stdout).toMatch(/hash.*█+ 100%/);
  expect(ran.stdout).toContain(`${ESC}[36mupload`);
  expect(ran.stdout).toContain(`${ESC}[32m✓${ESC}[39m imported image`);
});

it("without a terminal, the same command prints plain lines: no bar, no colour, no escape at all", async () => {
  const ran = await scpProxy(importArgs("off-tty"), sim.env);
  expect(ran.code).toBe(0);
  expect(`${ran.stdout}${ran.stderr}`).not.toContain(ESC);
  expect(`${ran.stdout}${ran.stderr}`).not.toContain("█");
  expect(ran.stdout).toMatch(/^✓ imported image /);
  expect(ran.stderr).toMatch(/^upload: 3\.0 MiB in [\d.]+ s \([\d.]+ \w+\/s\)$/m);
});

it("NO_COLOR keeps the bar on a terminal but drops the colour; --json draws nothing", async () => {
  const noColor = await onTerminal(importArgs("no-color"), cliEnv({ ...sim.env, NO_COLOR: "1" }));
  expect(noColor.code).toBe(0);
  expect(noColor.stdout).toMatch(/upload.*█+ 100%/);
  expect(noColor.stdout).not.toMatch(SGR);
  const json = await onTerminal(["--json", ...importArgs("json-on-tty")], sim.env);
  expect(json.code).toBe(0);
  expect(json.stdout).not.toContain("█");
  expect(json.stdout).not.toMatch(SGR);
  expect(JSON.parse(json.stdout)).toMatchObject({ reused: false, sizeBytes: 3 * 1024 * 1024 });
});

it("on a terminal, a fleet deploy shows each proxy's steps as they finish", async () => {
  const [poolA] = sim.server.poolIds as [string];
  const { imageId } = await importProxyImage(sim.scp, { file: vma, imageName: "proxy-v1", azIds: [poolA] });
  const spec = join(sim.dir, "fleet.yaml");
  await writeFile(spec, `fleetId: tty\nimageId: ${imageId}\npools:\n  - azId: ${poolA}\n    count: 1\n`);
  const ran = await onTerminal([...sim.flags, "fleet", "deploy", spec], sim.env);
  expect(ran.code).toBe(0);
  const done = (step: string) => `${ESC}[32m✓${ESC}[39m ${step}`;
  const trail = ["create", "mark", "power-on", "vmtools", "verify"].map(done).join("  ");
  expect(ran.stdout).toMatch(/tty-\w+-01 {2,}/);
  expect(ran.stdout).toContain(trail);
  expect(ran.stdout).toContain(`${ESC}[1mNAME${ESC}[22m`);
});
