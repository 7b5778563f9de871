import { defineConfig } from "vitest/config";

// As the root config: workspace packages resolve to their `src` through the
// `@controlroom/source` condition, so the chaos test needs no build step.
const conditions = ["@controlroom/source", "import", "node", "default"];

/**
 * `pnpm test:chaos`: only the chaos test (the root config leaves `*.chaos.test.ts`
 * out of `pnpm test`). Its size comes from CHAOS_RUNS, CHAOS_WORKERS and friends
 * (see docs/development.md); the test sets its own timeout from the size.
 */
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@controlroom/source"] } },
  test: {
    include: ["test/**/*.chaos.test.ts"],
    pool: "forks",
    hookTimeout: 120_000,
    // The same throwaway Postgres 15 cluster the control-plane tests use (or the
    // server at CONTROLROOM_TEST_DATABASE_URL).
    globalSetup: ["../../packages/control-plane/test/global-setup.ts"],
  },
});
