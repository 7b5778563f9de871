import { stat } from "node:fs/promises";
import type { ObjectStore } from "@controlroom/executor-kit";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { partitionValueSql } from "./delta-partition-values.js";
import { DeltaProtocolError } from "./delta-protocol-error.js";
import { type DeltaStructField, duckDbType } from "./delta-schema.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { localFileCopies } from "./local-file-copies.js";

/** A DuckDB query over a snapshot's rows, valid until {@link DeltaScan.dispose}. */
export interface DeltaScan {
  /** A `SELECT` giving the snapshot's rows, columns in schema order. */
  sql: string;
  /** The result columns: name and DuckDB type. */
  columns: { name: string; type: string }[];
  /** Deletes the temporary copies of remote data files (a no-op for local stores). */
  dispose(): Promise<void>;
}

const FILE_COLUMN = "__controlroom_file";

/**
 * Builds the DuckDB query that reads a snapshot's rows: `read_parquet` of the live
 * files (local stores by path, other stores through temporary copies) with
 * `union_by_name`, each column cast to its Delta type, columns the files lack (added
 * by schema evolution) as NULL, and partition columns as typed constants per file.
 *
 * @example
 * ```ts
 * const scan = await prepareDeltaScan(store, "t", snapshot, session);
 * try {
 *   const rows = await session.all(`SELECT count(*) AS n FROM (${scan.sql})`);
 * } finally {
 *   await scan.dispose();
 * }
 * ```
 */
export async function prepareDeltaScan(
  store: ObjectStore,
  location: string,
  snapshot: DeltaSnapshot,
  session: DuckDbSession,
  signal?: AbortSignal,
): Promise<DeltaScan> {
  const fields = snapshot.deltaSchema.fields;
  const partitions = new Set(snapshot.partitionColumns);
  const columns = fields.map((field) => ({ name: field.name, type: duckDbType(field.type) }));
  if (snapshot.files.length === 0) {
    const select = fields.map(
      (f) => `CAST(NULL AS ${duckDbType(f.type)}) AS ${quoteIdentifier(f.name)}`,
    );
    return { sql: `SELECT ${select.join(", ")} WHERE false`, columns, dispose: async () => {} };
  }

  const keyed: { index: number; key: string }[] = [];
  const paths: string[] = new Array(snapshot.files.length);
  for (const [index, file] of snapshot.files.entries()) {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(file.path)) {
      paths[index] = await absoluteLocalPath(file.path);
    } else {
      keyed.push({ index, key: location === "" ? file.path : `${location}/${file.path}` });
    }
  }
  const copies = await localFileCopies(
    store,
    keyed.map((k) => k.key),
    signal,
  );
  for (const [i, { index }] of keyed.entries()) paths[index] = copies.paths[i] as string;

  try {
    const source = `read_parquet([${paths.map(quoteLiteral).join(", ")}], filename = ${quoteLiteral(FILE_COLUMN)}, union_by_name = true, hive_partitioning = false)`;
    const physical = new Map<string, string>();
    for (const column of await session.describe(`SELECT * FROM ${source} LIMIT 0`)) {
      physical.set(column.name.toLowerCase(), column.name);
    }
    const select = fields.map((field) => columnSql(field, partitions.has(field.name), physical));
    let from = `${source} AS d`;
    if (partitions.size > 0) {
      const partitionFields = fields.filter((f) => partitions.has(f.name));
      const rows = snapshot.files.map((file, index) => {
        const values = partitionFields.map((f) =>
          partitionValueSql(file.partitionValues[f.name], f.type),
        );
        return `(${[quoteLiteral(paths[index] as string), ...values].join(", ")})`;
      });
      const names = [FILE_COLUMN, ...partitionFields.map((f) => f.name)].map(quoteIdentifier);
      from += ` JOIN (VALUES ${rows.join(", ")}) AS p(${names.join(", ")}) ON d.${quoteIdentifier(FILE_COLUMN)} = p.${quoteIdentifier(FILE_COLUMN)}`;
    }
    return { sql: `SELECT ${select.join(", ")} FROM ${from}`, columns, dispose: copies.dispose };
  } catch (error) {
    await copies.dispose();
    throw error;
  }
}

function columnSql(
  field: DeltaStructField,
  isPartition: boolean,
  physical: Map<string, string>,
): string {
  const alias = quoteIdentifier(field.name);
  const type = duckDbType(field.type);
  if (isPartition) return `p.${alias}`;
  const name = physical.get(field.name.toLowerCase());
  if (name === undefined) return `CAST(NULL AS ${type}) AS ${alias}`;
  // Nested values keep the file's shape: a cast would fail on structs whose fields
  // evolved. Primitives are cast so that e.g. INT96 timestamps become instants.
  if (typeof field.type !== "string") return `d.${quoteIdentifier(name)} AS ${alias}`;
  return `CAST(d.${quoteIdentifier(name)} AS ${type}) AS ${alias}`;
}

async function absoluteLocalPath(uri: string): Promise<string> {
  if (!uri.startsWith("file:")) {
    throw new DeltaUnsupportedFeatureError(
      "absolutePaths",
      `the log names a data file outside the table's store (${uri}); only file:// paths are read`,
    );
  }
  // Snapshot paths are already percent-decoded: `file://` plus the plain path.
  const path = uri.slice("file://".length);
  try {
    if ((await stat(path)).isFile()) return path;
  } catch {
    // reported below
  }
  throw new DeltaProtocolError(`data file missing: the log lists "${uri}", which does not exist`, {
    code: "DELTA_DATA_FILE_MISSING",
  });
}
