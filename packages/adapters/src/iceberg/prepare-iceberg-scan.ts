import type { ObjectStore } from "@controlroom/executor-kit";
import { fileUriPath, localDataFiles } from "../duckdb/local-data-files.js";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { IcebergError } from "./iceberg-error.js";
import { icebergDuckDbType } from "./iceberg-schema.js";
import type { IcebergSnapshot } from "./iceberg-snapshot.js";
import { localPathOf, storeKeyOf } from "./store-uri.js";

/** A DuckDB query over a snapshot's rows, valid until {@link IcebergScan.dispose}. */
export interface IcebergScan {
  /** A `SELECT` of the snapshot's rows, columns in schema order. */
  sql: string;
  /** The result's columns: name and DuckDB type. */
  columns: { name: string; type: string }[];
  /** Deletes the local copies of remote data files (a no-op for local stores). */
  dispose(): Promise<void>;
}

/** Options of {@link prepareIcebergScan}. */
export interface PrepareIcebergScanOptions {
  /** Where copies of remote data files go. @default os.tmpdir() */
  tempDirectory?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Builds the DuckDB query that reads a snapshot's rows: `read_parquet` over the live
 * data files with a `schema` map from field id to column name and type, so columns are
 * found by Iceberg field id (renamed columns read right; columns a file lacks are NULL),
 * not by name. Files in a local store are read in place; others are downloaded first
 * (DuckDB here has no httpfs).
 *
 * @example
 * ```ts
 * const scan = await prepareIcebergScan(store, snapshot);
 * try {
 *   const { rows } = await engine.query(`SELECT count(*) AS n FROM (${scan.sql})`);
 * } finally {
 *   await scan.dispose();
 * }
 * ```
 */
export async function prepareIcebergScan(
  store: ObjectStore,
  snapshot: IcebergSnapshot,
  options: PrepareIcebergScanOptions = {},
): Promise<IcebergScan> {
  const fields = snapshot.icebergSchema.fields;
  const columns = fields.map((field) => ({
    name: field.name,
    type: icebergDuckDbType(field.type),
  }));
  const names = fields.map((field) => quoteIdentifier(field.name)).join(", ");
  if (snapshot.dataFiles.length === 0) {
    const select = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`);
    return { sql: `SELECT ${select.join(", ")} WHERE false`, columns, dispose: async () => {} };
  }
  for (const file of snapshot.dataFiles) {
    if (file.fileFormat.toUpperCase() !== "PARQUET") {
      throw new IcebergError(
        "ICEBERG_UNSUPPORTED_FEATURE",
        `${file.filePath} is ${file.fileFormat}; only Parquet data files are read`,
      );
    }
  }
  const uris = snapshot.dataFiles.map((file) => file.filePath);
  const keys = uris.map((uri) => {
    const key = storeKeyOf(store, uri);
    if (key !== undefined) return key;
    if (localPathOf(uri) !== undefined) return uri;
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `data file ${uri} is outside the object store; only the store and local files are read`,
    );
  });
  const inStore = fileUriPath(store);
  const files = await localDataFiles(store, keys, {
    // Keys that are URIs are local files outside the store: read where they are.
    localPathOf: (key) => localPathOf(key) ?? inStore(key),
    tempDirectory: options.tempDirectory,
    signal: options.signal,
  });
  const schema = fields
    .map(
      (field, i) =>
        `${field.id}: {name: ${quoteLiteral(field.name)}, type: ${quoteLiteral(columns[i]?.type as string)}, default_value: NULL}`,
    )
    .join(", ");
  const source = `read_parquet([${files.paths.map(quoteLiteral).join(", ")}], schema = MAP {${schema}})`;
  return { sql: `SELECT ${names} FROM ${source}`, columns, dispose: files.dispose };
}
