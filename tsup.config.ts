import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", simulator: "src/simulator/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    // An optional peer: the application's own copy is loaded at run time, if it has one.
    external: ["@opentelemetry/api"],
  },
  {
    entry: { "cli/scp-sim": "src/cli/scp-sim.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
