import { defineConfig } from "vitest/config";

// Workspace packages resolve each other's `src` through the `@controlroom/source`
// export condition, so tests run against the source with no build step. No "module":
// packages such as the AWS SDK list it first and point it at bundler-only ESM (imports
// without file extensions) that Node cannot load once vitest externalises it.
const conditions = ["@controlroom/source", "import", "node", "default"];

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
    // Generous: CI machines are shared, and starting PGlite or a server process under
    // load has taken over a minute. Tests assert behaviour, never timings.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Starts a throwaway Postgres 15 for the control-plane suites and a MinIO for the
    // S3 suites, and lets the Trino suites start a Trino on both (see those files;
    // the Trino setup reads the other two, so it comes last).
    globalSetup: [
      "packages/control-plane/test/global-setup.ts",
      "packages/adapters/test/global-setup-s3.ts",
      "packages/adapters/test/global-setup-trino.ts",
    ],
  },
});
