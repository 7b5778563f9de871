import type { ObjectStore, SqlEngine, TableSchema, TableSnapshot } from "@controlroom/executor-kit";
import { type DuckDbRowSetDigest, duckDbRowSetHash } from "./duckdb-row-set-hash.js";
import { prepareTableView } from "./register-table-view.js";

/** A data file a write left on local disk, before or while it is uploaded. */
export interface LocalWrittenFile {
  /** Its path relative to the write's local directory. */
  path: string;
  /** Its partition values, as the commit records them. */
  partitionValues?: Record<string, string | null> | undefined;
}

/**
 * The row-set hash (format v2) of a table version that holds exactly `files`, read from
 * their local copies under `directory`: the digest `duckDbRowSetHash` gives over the
 * version's scan once they are committed (same columns, types and partition values),
 * without reading them back from the store, which for a remote store means
 * downloading them.
 *
 * @example
 * ```ts
 * const digest = await hashWrittenFiles(engine, store, schema, [], "/tmp/write-1", [{ path: "0/part-a.parquet" }], {});
 * ```
 */
export async function hashWrittenFiles(
  engine: SqlEngine,
  store: ObjectStore,
  schema: TableSchema,
  partitionColumns: readonly string[],
  directory: string,
  files: readonly LocalWrittenFile[],
  options: { exclude?: readonly string[] | undefined; signal?: AbortSignal | undefined },
): Promise<DuckDbRowSetDigest> {
  const snapshot: TableSnapshot = {
    version: 0,
    schema,
    partitionColumns: [...partitionColumns],
    files: files.map((file) => ({
      path: file.path,
      sizeBytes: 0,
      recordCount: 0,
      ...(file.partitionValues === undefined ? {} : { partitionValues: file.partitionValues }),
    })),
    properties: {},
  };
  // The directory stands for the table's location: every file is local, nothing is
  // downloaded, and the scan is the one a committed version of these files gets.
  const scan = await prepareTableView("__controlroom_written", snapshot, {
    store,
    location: directory,
    localPathOf: (key) => key,
    signal: options.signal,
  });
  try {
    return await duckDbRowSetHash(
      engine,
      `(${scan.sql})`,
      schema.fields.map((field) => field.name),
      { exclude: options.exclude, columnTypes: scan.columnTypes, signal: options.signal },
    );
  } finally {
    await scan.dispose();
  }
}
