// What the package costs an application (issue 10, item 5): the cold import time of the main entry (ESM and CJS,
// each in fresh processes) and the minified+gzipped size of apps that bundle one import from it with esbuild
// (everything bundled but Node's builtins). Prints a table and writes the figures as JSON.
// Usage: node scripts/package-cost.mjs [--runs N] [--quick] [--out tmp/package-cost.json]   (needs a built dist/)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: "string" }, quick: { type: "boolean" }, out: { type: "string" } },
});
const RUNS = Number(values.runs ?? (values.quick ? 3 : 15));
const OUT = join(ROOT, values.out ?? "tmp/package-cost.json");
const ENTRY = { esm: join(ROOT, "dist/index.js"), cjs: join(ROOT, "dist/index.cjs") };
const APPS = { "createScpClient only": "createScpClient", "ScpError only": "ScpError" };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// What each fresh process loads and times (Node's own start-up excluded). zod alone is there for scale.
const LOADS = {
  esm: `await import(${JSON.stringify(pathToFileURL(ENTRY.esm).href)})`,
  cjs: `require(${JSON.stringify(ENTRY.cjs)})`,
  zod: 'await import("zod")',
};

function importOnce(kind) {
  const code = `const t = performance.now(); ${LOADS[kind]}; process.stdout.write(String(performance.now() - t));`;
  const args = kind === "cjs" ? ["-e", code] : ["--input-type=module", "-e", code];
  const result = spawnSync(process.execPath, args, { encoding: "utf8", cwd: ROOT });
  if (result.status !== 0) {
    throw new Error(`importing ${kind} failed: ${result.stderr}`);
  }
  return Number(result.stdout);
}

/** Median, min and max per kind; the kinds take turns, so a busy spell on the machine hits them alike. */
function importTimes() {
  const kinds = Object.keys(LOADS);
  kinds.forEach(importOnce); // warms the OS file cache, as on a machine that has run the app before
  const times = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const kind of kinds) {
      times[kind].push(importOnce(kind));
    }
  }
  const stats = (xs) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });
  return Object.fromEntries(kinds.map((k) => [k, stats(times[k])]));
}

/** Which package each output byte came from (the SDK's own bundle counts as "sangfor-scp-sdk"). */
function bytesByPackage(metafile) {
  const totals = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "sangfor-scp-sdk";
      totals[name] = (totals[name] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(totals).sort(([, a], [, b]) => b - a));
}

async function appSize(name) {
  const contents = `export { ${name} } from ${JSON.stringify(ENTRY.esm)};`;
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return {
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    byPackage: bytesByPackage(result.metafile),
  };
}

if (!existsSync(ENTRY.esm) || !existsSync(ENTRY.cjs)) {
  throw new Error("no dist/: run `npm run build` first");
}
const importMs = importTimes();
const apps = {};
for (const [label, name] of Object.entries(APPS)) {
  apps[label] = await appSize(name);
}

const kib = (bytes) => `${round(bytes / 1024)} KiB`;
console.log(`Node ${process.versions.node}, ${RUNS} fresh processes per entry\n`);
console.log("figure                                   median     min      max");
for (const [kind, t] of Object.entries(importMs)) {
  const what = kind === "zod" ? "cold import, zod alone (for scale)" : `cold import, main entry (${kind})`;
  console.log(what.padEnd(41), `${t.median} ms`.padEnd(10), `${t.min}`.padEnd(8), t.max);
}
console.log("\napp (esbuild --bundle --minify, ESM)     minified   gzipped  largest parts (minified)");
for (const [label, a] of Object.entries(apps)) {
  const parts = Object.entries(a.byPackage)
    .slice(0, 4)
    .map(([p, b]) => `${p} ${kib(b)}`);
  console.log(label.padEnd(41), kib(a.minified).padEnd(10), kib(a.gzipped).padEnd(8), parts.join(", "));
}

const figure = (name, value, unit, extra = {}) => ({ name, value, unit, goal: null, met: null, ...extra });
const figures = [
  ...Object.entries(importMs).map(([kind, t]) =>
    figure(kind === "zod" ? "cold import of zod alone" : `cold import of the main entry (${kind})`, t.median, "ms", t),
  ),
  ...Object.entries(apps).map(([label, a]) => figure(`app bundle, ${label}, min+gz`, a.gzipped, "bytes", a)),
];
// A client app must not pay for the simulator's dependencies.
const yamlBytes = apps["createScpClient only"].byPackage.yaml ?? 0;
figures.push(figure("yaml in the createScpClient app", yamlBytes, "bytes", { goal: 0, met: yamlBytes === 0 }));
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`\nwrote ${OUT}`);
