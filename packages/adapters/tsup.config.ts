import { defineConfig } from "tsup";

// One entry per adapter subpath, so that `@controlroom/adapters/delta` never pulls in
// the AWS SDK and `/s3` never pulls in DuckDB.
export default defineConfig({
  entry: {
    "local/index": "src/local/index.ts",
    "delta/index": "src/delta/index.ts",
    "iceberg/index": "src/iceberg/index.ts",
    "s3/index": "src/s3/index.ts",
    "duckdb/index": "src/duckdb/index.ts",
    "postgres/index": "src/postgres/index.ts",
    "trino/index": "src/trino/index.ts",
    "testing/index": "src/testing/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Heavy clients are optional peer dependencies: never bundle them.
  external: [
    "@duckdb/node-api",
    "@aws-sdk/client-s3",
    "@aws-sdk/s3-request-presigner",
    "postgres",
    "@electric-sql/pglite",
    "trino-client",
    "vitest",
  ],
});
