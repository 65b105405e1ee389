// Runs the test suite (`vitest run`, extra arguments passed on) on Node 20, 22 and 24. Not part of CI: it takes
// minutes. Versions other than the running Node come from the npm registry as the `node-<platform>-<arch>` package
// (the newest release of each major), installed once into ~/.cache/sangfor-scp-sdk/node-<version>/. A version
// whose download fails is skipped with the reason; any failing run makes the exit code 1.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MAJORS = [20, 22, 24];
const PACKAGE = `node-${process.platform}-${process.arch}`;
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "sangfor-scp-sdk");
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));

function npm(args) {
  // Without the npm_config_* that `npm run` sets (its local prefix would point the install at this repo).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const result = spawnSync("npm", args, { encoding: "utf8", env });
  if (result.status !== 0) {
    const why = (result.stderr || result.stdout || String(result.error ?? result.signal)).trim().split("\n");
    throw new Error(why.filter((line) => line.includes("ERR")).join(" ") || why.at(-1));
  }
  return result.stdout;
}

/** The newest release of a major, as the registry lists it. */
function newest(major) {
  const listed = JSON.parse(npm(["view", `${PACKAGE}@${major}`, "version", "--json"]));
  const versions = [listed].flat();
  if (versions.length === 0) {
    throw new Error(`the registry lists no ${PACKAGE}@${major}`);
  }
  return versions.at(-1);
}

/** The path of a Node binary of this major, downloaded into the cache unless it is the one running. */
function nodeBinary(major) {
  if (Number(process.versions.node.split(".")[0]) === major) {
    return { version: process.versions.node, path: process.execPath };
  }
  const version = newest(major);
  const prefix = join(CACHE, `node-${version}`);
  const path = join(prefix, "node_modules", PACKAGE, "bin", "node");
  if (!existsSync(path)) {
    console.log(`Downloading ${PACKAGE}@${version} into ${prefix}…`);
    npm(["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", `${PACKAGE}@${version}`]);
  }
  return { version, path };
}

function runSuite(node) {
  // The Node under test comes first on PATH, so what the tests spawn by name (`node`, bin shebangs) is that one too.
  const env = { ...process.env, PATH: `${dirname(node.path)}${delimiter}${process.env.PATH}` };
  console.log(`\n=== Node ${node.version}: vitest run ${process.argv.slice(2).join(" ")} ===`);
  const started = Date.now();
  const result = spawnSync(node.path, [VITEST, "run", ...process.argv.slice(2)], { stdio: "inherit", env });
  return { ok: result.status === 0, seconds: Math.round((Date.now() - started) / 1000) };
}

const rows = [];
for (const major of MAJORS) {
  let node;
  try {
    node = nodeBinary(major);
  } catch (error) {
    console.log(`\nSkipping Node ${major}: could not get ${PACKAGE}@${major} (${error.message})`);
    rows.push({ major, version: "-", result: "skipped (download failed)", seconds: 0 });
    continue;
  }
  const { ok, seconds } = runSuite(node);
  rows.push({ major, version: node.version, result: ok ? "passed" : "FAILED", seconds });
}

console.log("\nNode    version     result                      time");
for (const r of rows) {
  console.log(`${String(r.major).padEnd(8)}${r.version.padEnd(12)}${r.result.padEnd(28)}${r.seconds}s`);
}
process.exitCode = rows.some((r) => r.result === "FAILED") ? 1 : 0;
