import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The environment for child npm and node processes, without what `npm test` leaks into ours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // npm run sets npm_config_local_prefix & co.: left in, a nested `npm install` would install into this repo.
  const entries = Object.entries(process.env).filter(
    ([k]) => !/^npm_/i.test(k) && k !== "NODE_PATH" && k !== "INIT_CWD",
  );
  return { ...Object.fromEntries(entries), NODE_OPTIONS: "", ...extra };
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", env: cleanEnv(), timeout: 240_000, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${output}`);
  }
  return String(result.stdout);
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const BUILT = [
  "dist/index.js",
  "dist/index.cjs",
  "dist/index.d.ts",
  "dist/index.d.cts",
  "dist/cli/scp-sim.js",
  "dist/cli/scp-proxy.js",
];

/** Builds `dist/` unless every output is newer than every input (a fresh checkout has no dist, so it builds). */
export function ensureBuilt(): void {
  const inputs = ["src", "package.json", "tsup.config.ts", "tsconfig.json"].map((p) => newestMtime(join(ROOT, p)));
  const outputs = BUILT.map((p) => join(ROOT, p));
  const fresh = outputs.every((p) => existsSync(p) && statSync(p).mtimeMs > Math.max(...inputs));
  if (!fresh) {
    run("npm", ["run", "build"], { cwd: ROOT });
  }
}

/** A packed tarball installed into a fresh project that has nothing else. */
export interface Installed {
  /** Paths inside the tarball, such as `dist/index.js`. */
  readonly files: readonly string[];
  /** The consumer project: `node_modules/sangfor-scp-sdk` plus what its declared dependencies pull in. */
  readonly consumerDir: string;
  /** The temporary directory holding everything (remove it when done). */
  readonly workDir: string;
}

/** Packs the package and installs the tarball, with its declared dependencies only, into a new project. */
export function packAndInstall(): Installed {
  const workDir = mkdtempSync(join(tmpdir(), "scp-sdk-package-"));
  const packed = JSON.parse(
    run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", workDir], { cwd: ROOT }),
  ) as [{ filename: string; files: { path: string }[] }];
  const consumerDir = join(workDir, "consumer");
  mkdirSync(consumerDir);
  writeFileSync(join(consumerDir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // @types/node at the repo's version (a TypeScript consumer has it; the SDK's types mention NodeJS streams).
  const typesNode = JSON.parse(readFileSync(join(ROOT, "node_modules/@types/node/package.json"), "utf8")).version;
  run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      join(workDir, packed[0].filename),
      `@types/node@${typesNode}`,
    ],
    { cwd: consumerDir },
  );
  return { files: packed[0].files.map((f) => f.path), consumerDir, workDir };
}
