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

// The CLI loads the packaged simulator by the package's own name (Node resolves a package's name from inside it)
// instead of carrying a second copy of it and its YAML parser.
const simulatorByName: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "simulator-by-name",
  setup(build) {
    build.onResolve({ filter: /\/simulator\/index\.js$/ }, () => ({
      path: "sangfor-scp-sdk/simulator",
      external: true,
    }));
  },
};

export default defineConfig([
  // The client: dependencies stay external, nothing of the simulator's.
  {
    ...shared,
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    // An optional peer: the application's own copy is loaded at run time, if it has one.
    external: ["@opentelemetry/api"],
  },
  {
    ...shared,
    ...withYaml,
    entry: { simulator: "src/simulator/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    banner: ({ format }) => (format === "esm" ? { js: esmRequire } : {}),
  },
  {
    ...shared,
    entry: { "cli/scp-sim": "src/cli/scp-sim.ts" },
    format: ["esm"],
    banner: { js: "#!/usr/bin/env node" },
    esbuildPlugins: [simulatorByName],
  },
]);
