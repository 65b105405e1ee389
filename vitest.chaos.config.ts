import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { ChaosReporter } from "./test/chaos/support/reporter.js";

// The reliability suite (`npm run test:chaos`; `CHAOS_FULL=1` for the full run). Kept apart from `npm test`.
export default defineConfig({
  resolve: {
    alias: {
      "sangfor-scp-sdk/simulator": fileURLToPath(new URL("./src/simulator/index.ts", import.meta.url)),
      "sangfor-scp-sdk": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/chaos/**/*.chaos.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    reporters: ["default", new ChaosReporter()],
  },
});
