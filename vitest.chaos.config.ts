import { defineConfig } from "vitest/config";
import { ChaosReporter } from "./test/chaos/support/reporter.js";
import { packageAliases } from "./vitest.config.js";

// The reliability suite (`npm run test:chaos`; `CHAOS_FULL=1` for the full run). Kept apart from `npm test`.
export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    include: ["test/chaos/**/*.chaos.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    reporters: ["default", new ChaosReporter()],
  },
});
