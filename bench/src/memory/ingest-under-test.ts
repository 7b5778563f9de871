import { createDeltaLakehouse } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { createPostgresSource } from "@controlroom/adapters/postgres";
import postgres from "postgres";
import { medallionIngestToBronze } from "./medallion-ingest.js";

/** What an ingest under test gets: where to read from and where it may write. */
export interface IngestContext {
  /** Postgres holding the seeded table. */
  databaseUrl: string;
  /** The seeded table's name (in `public`). */
  table: string;
  /** An empty directory for the lake (bronze tables go under it). */
  lakeDir: string;
  /**
   * `targetFileSize` of the lakehouse the bronze ingests write with (`--file-size`);
   * undefined keeps the adapter's default (128MB).
   */
  fileSize: string | undefined;
}

/** An ingest path whose peak memory is measured: reads the table, returns rows handled. */
export type IngestUnderTest = (context: IngestContext) => Promise<{ rows: number }>;

/**
 * The baseline: `createPostgresSource` reading every row in keyset batches (10,000 by
 * default) into a sink that only counts them. Its peak RSS is the floor any ingest that
 * reads through the source sits on.
 */
export const postgresSourceToNoopSink: IngestUnderTest = async ({ databaseUrl, table }) => {
  const connection = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  try {
    const source = createPostgresSource({ connection, tables: [table] });
    let rows = 0;
    for await (const batch of source.read(table)) rows += batch.rows.length;
    return { rows };
  } finally {
    await connection.end({ timeout: 1 });
  }
};

/**
 * The bronze write alone: the source's batches straight into `Lakehouse.appendRows()`
 * (Delta with DuckDB, a local lake), one commit, without the ingest phase around it.
 */
export const postgresSourceToBronze: IngestUnderTest = async ({
  databaseUrl,
  table,
  lakeDir,
  fileSize,
}) => {
  const connection = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  const lake = createDeltaLakehouse({
    store: createLocalObjectStore({ root: lakeDir }),
    targetFileSize: fileSize,
  });
  try {
    const source = createPostgresSource({ connection, tables: [table] });
    async function* batches() {
      for await (const batch of source.read(table)) yield batch.rows;
    }
    const result = await lake.appendRows(`bronze/bench/${table}`, batches(), {
      schema: await source.tableSchema(table),
      provenance: { run_id: "bench", phase: "ingest", git_sha: "0".repeat(40) },
    });
    return { rows: result.rowCount };
  } finally {
    await lake.close();
    await connection.end({ timeout: 1 });
  }
};

/**
 * The ingests `pnpm bench --groups memory` measures, by name, in this order; each runs
 * in a child process of its own, whose peak RSS is reported.
 */
export const INGESTS: Record<string, IngestUnderTest> = {
  "createPostgresSource → no-op sink (baseline)": postgresSourceToNoopSink,
  "createPostgresSource → Lakehouse.appendRows (bronze write)": postgresSourceToBronze,
  "medallion ingest phase → bronze (the product's path)": medallionIngestToBronze,
};

/** The registered ingest the 512 MB target is judged on: the product's bronze ingest. */
export const TARGET_INGEST: string | undefined =
  "medallion ingest phase → bronze (the product's path)";
