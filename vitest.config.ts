import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Tests and examples import the package by name, as users do (shared with vitest.chaos.config.ts). */
export const packageAliases = {
  "sangfor-scp-sdk/simulator": fileURLToPath(new URL("./src/simulator/index.ts", import.meta.url)),
  "sangfor-scp-sdk": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
};

export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/live/**", "node_modules/**"],
    testTimeout: 20_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/generated/**", "src/cli/**"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 90 },
    },
  },
});
