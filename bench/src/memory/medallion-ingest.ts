import { createDeltaLakehouse } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { createPostgresSource } from "@controlroom/adapters/postgres";
import { defineMedallionExecutor, type IngestOutput } from "@controlroom/executor-kit/medallion";
import { runPhase } from "@controlroom/executor-kit/testing";
import postgres from "postgres";
import type { IngestUnderTest } from "./ingest-under-test.js";

/**
 * The bronze ingest as the product runs it: the ingest phase of a medallion executor
 * with one stream (the seeded table, keyed by `id`, read by `(write_date, id)`), run
 * through `runPhase` (the attempt a worker runs) with `createPostgresSource` and
 * `createDeltaLakehouse` on a local lake. Besides `appendRows`, that is the schema and
 * drift checks, the bronze audit columns, the row-set hash of every row and the
 * manifest entry.
 */
export const medallionIngestToBronze: IngestUnderTest = async ({
  databaseUrl,
  table,
  lakeDir,
  fileSize,
}) => {
  const connection = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  const lakehouse = createDeltaLakehouse({
    store: createLocalObjectStore({ root: lakeDir }),
    targetFileSize: fileSize,
  });
  const executor = defineMedallionExecutor({
    id: "bench",
    version: "1.0.0",
    streams: [{ name: table, primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
    silver: [],
    // The template wants a gold table; only the ingest phase runs here.
    gold: [{ name: "unused", sql: "SELECT 1 AS one" }],
  });
  try {
    const source = createPostgresSource({ connection, tables: [table] });
    const result = await runPhase(executor, "ingest", { adapters: { lakehouse, source } });
    if (result.status !== "succeeded") {
      throw new Error(`the ingest phase ${result.status}: ${result.error?.message ?? ""}`, {
        cause: result.thrown,
      });
    }
    const output = result.output as IngestOutput;
    return { rows: output.streams[table]?.rows ?? 0 };
  } finally {
    await lakehouse.close();
    await connection.end({ timeout: 1 });
  }
};
