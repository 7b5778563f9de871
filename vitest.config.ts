import { defineConfig } from "vitest/config";

// Workspace packages resolve each other's `src` through the `@controlroom/source`
// export condition, so tests run against the source with no build step.
const conditions = ["@controlroom/source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@controlroom/source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**", "**/*.chaos.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Starts a throwaway Postgres 15 for the control-plane suites (see that file).
    globalSetup: ["packages/control-plane/test/global-setup.ts"],
  },
});
