import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";

// No source maps in the package: the bundles are unminified (names, comments and module paths kept), so a stack
// trace already points at readable code, and the maps were 1.7 MB of a 2.6 MB tarball that every install paid for.
const shared = { sourcemap: false, target: "node20", platform: "node" } satisfies Options;

// The simulator and its CLI bundle `yaml` (a devDependency: users of the client never install it). Its Node build is
// CommonJS and requires `process`; an ESM bundle has no `require` for that unless it makes one.
const withYaml = { noExternal: ["yaml"] } satisfies Options;
const esmRequire = 'import { createRequire as __createRequire } from "node:module";\n'.concat(
  "const require = __createRequire(import.meta.url);",
);

// The CLIs load the packaged client and simulator by the package's own name (Node resolves a package's name from
// inside it) instead of carrying second copies of them: an import that lands on a public entry stays an import.
const PUBLIC_ENTRIES = new Map([
  [fileURLToPath(new URL("./src/index.js", import.meta.url)), "sangfor-scp-sdk"],
  [fileURLToPath(new URL("./src/simulator/index.js", import.meta.url)), "sangfor-scp-sdk/simulator"],
]);
const publicEntriesByName: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "public-entries-by-name",
  setup(build) {
    build.onResolve({ filter: /(^|\/)index\.js$/ }, (args) => {
      const name = PUBLIC_ENTRIES.get(resolve(args.resolveDir, args.path));
      return name === undefined ? undefined : { path: name, external: true };
    });
  },
};

/** The package directory of a bundled input (the innermost `node_modules/<name>` of its path). */
function packageDirOf(input: string): string | undefined {
  const found = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return found?.[1];
}

// The simulator and the CLIs carry code of other packages, whose licences ask that their notices travel with it: one
// file beside the bundles lists each package with its licence text.
const thirdPartyNotices = (file: string, what: string): NonNullable<Options["esbuildPlugins"]>[number] => ({
  name: "third-party-notices",
  setup(build) {
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      const dirs = new Set(Object.keys(result.metafile?.inputs ?? {}).flatMap((i) => packageDirOf(i) ?? []));
      const notices = [...dirs].sort().map((dir) => {
        const { name, version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
        const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${license}`;
        return `## ${name}@${version} (${license})\n\n${text}\n`;
      });
      const head = `# Third-party software bundled into ${what}\n`;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, [head, ...notices].join("\n"));
    });
  },
});

export default defineConfig([
  // The client, as ESM: one file per module, so an application's bundler keeps only what it imports (a module's
  // top-level zod schemas are calls a bundler must keep; in one big file they kept all of zod for one error class).
  // Dependencies stay external, nothing of the simulator's.
  {
    ...shared,
    entry: ["src/**/*.ts", "!src/simulator/**", "!src/cli/**"],
    bundle: false,
    format: ["esm"],
    dts: { entry: { index: "src/index.ts" } },
    clean: true,
  },
  // The client, as CommonJS: one bundle (require() has nothing to tree-shake). @opentelemetry/api is an optional
  // peer: the application's own copy is loaded at run time, if it has one.
  {
    ...shared,
    entry: { index: "src/index.ts" },
    format: ["cjs"],
    dts: { entry: { index: "src/index.ts" } },
    external: ["@opentelemetry/api"],
  },
  {
    ...shared,
    ...withYaml,
    entry: { simulator: "src/simulator/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    banner: ({ format }) => (format === "esm" ? { js: esmRequire } : {}),
    esbuildPlugins: [thirdPartyNotices("dist/SIMULATOR-THIRD-PARTY-NOTICES.md", "dist/simulator.*")],
  },
  // The CLIs bundle their terminal libraries (devDependencies, like yaml): a client user installs none of them.
  // cli-table3 loads @colors/colors only for styles we never set, and does without it.
  {
    ...shared,
    entry: { "cli/scp-sim": "src/cli/scp-sim.ts", "cli/scp-proxy": "src/cli/scp-proxy.ts" },
    format: ["esm"],
    splitting: false,
    noExternal: ["yaml", "commander", "cli-progress", "cli-table3", "picocolors"],
    external: ["@colors/colors"],
    banner: { js: `#!/usr/bin/env node\n${esmRequire}` },
    esbuildPlugins: [publicEntriesByName, thirdPartyNotices("dist/cli/THIRD-PARTY-NOTICES.md", "dist/cli/")],
  },
]);
