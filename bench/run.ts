// `npm run bench`: runs every benchmark script, each in a process of its own with `--out <file> [--quick]`, merges
// the JSON arrays they write into bench-results.json and prints one table. A script is every `bench/*.ts` but this
// one, plus scripts/package-cost.mjs (which needs dist/: built first when older than src/).
// Flags: --quick (CI: prove they run), --only a,b (by name), --runs N (passed on), --quiet-load L (before each
// script, wait until the 1-minute load average is at most L: other work on the machine skews timings).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Figure, printTable, writeFigures } from "./support/figures.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const quick = argv.includes("--quick");
const only = flag("--only")?.split(",");
const runs = flag("--runs");
const quietLoad = flag("--quiet-load");
// Fleets and transfers first: they are the longest, and the package-cost build is cheap to reuse after them.
const ORDER = ["fleet-cost", "fleet-speed", "transfers", "request-overhead", "package-cost", "simulator-scale"];

interface Script {
  name: string;
  command: string[];
}

function scripts(): Script[] {
  const found = readdirSync(join(ROOT, "bench"))
    .filter((f) => f.endsWith(".ts") && f !== "run.ts")
    .map((f) => ({ name: f.slice(0, -3), command: ["--import", "tsx", `bench/${f}`] }));
  found.push({ name: "package-cost", command: ["scripts/package-cost.mjs"] });
  const rank = (s: Script) => (ORDER.includes(s.name) ? ORDER.indexOf(s.name) : ORDER.length);
  return found
    .filter((s) => only === undefined || only.includes(s.name))
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Builds dist/ when a file of src/ is newer than it (package-cost measures the built package). */
function ensureBuilt(): void {
  const built = join(ROOT, "dist/index.js");
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(ROOT, "src"))) {
    return;
  }
  console.log("dist/ is older than src/: npm run build");
  const result = spawnSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) {
    throw new Error("npm run build failed");
  }
}

/** Waits (up to 15 minutes) until the 1-minute load average is at most `limit`. */
async function waitForQuiet(limit: number): Promise<void> {
  const until = Date.now() + 15 * 60_000;
  while ((loadavg()[0] ?? 0) > limit && Date.now() < until) {
    console.log(`load ${loadavg()[0]?.toFixed(2)} > ${limit}: waiting`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
}

async function runScript(script: Script): Promise<Figure[]> {
  // Relative to the repository, where every script runs.
  const out = `tmp/bench/${script.name}.json`;
  const args = [...script.command, "--out", out, ...(quick ? ["--quick"] : []), ...(runs ? ["--runs", runs] : [])];
  console.log(`\n=== ${script.name}: node ${args.join(" ")}`);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    throw new Error(`${script.name} failed (exit ${code})`);
  }
  console.log(`(${script.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return (JSON.parse(readFileSync(join(ROOT, out), "utf8")) as Figure[]).map((f) => normalise(script.name, f));
}

/** One shape for every script's figures: goal in words ("report" when none), met true, false or null. */
function normalise(script: string, f: Figure): Figure {
  const goal = f.goal as unknown;
  const words = goal === null || goal === undefined ? "report" : typeof goal === "number" ? `= ${goal}` : String(goal);
  return { ...f, name: `${script}: ${f.name}`, goal: words, met: f.met ?? null };
}

async function main(): Promise<void> {
  const started = performance.now();
  const figures: Figure[] = [];
  for (const script of scripts()) {
    if (script.name === "package-cost") {
      ensureBuilt();
    }
    if (quietLoad !== undefined) {
      await waitForQuiet(Number(quietLoad));
    }
    figures.push(...(await runScript(script)));
  }
  console.log(`\nall figures${quick ? " (quick: these prove the benchmarks run; they measure nothing)" : ""}`);
  printTable(figures);
  const missed = figures.filter((f) => f.met === false).length;
  console.log(
    `${figures.length} figures, ${missed} goals missed, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  await writeFigures(join(ROOT, "bench-results.json"), figures);
  console.log("wrote bench-results.json");
}

await main();
