import type { ObjectStore } from "@controlroom/executor-kit";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { prepareDeltaScan } from "./prepare-delta-scan.js";

/** A snapshot's rows as DuckDB returns them, with the columns in schema order. */
export interface DeltaRows {
  /** Column names and DuckDB types, in the table schema's order. */
  columns: { name: string; type: string }[];
  /**
   * The rows, as `@duckdb/node-api` converts values: BIGINT → bigint, DECIMAL →
   * number, TIMESTAMP → Date, BLOB → Uint8Array, STRUCT → object, LIST → array,
   * MAP → array of `{ key, value }`.
   */
  rows: Record<string, unknown>[];
}

/**
 * Reads all rows of a snapshot through DuckDB (see {@link prepareDeltaScan}). Meant
 * for tests, previews and small tables; for big ones run your own query over
 * `prepareDeltaScan(…).sql`.
 *
 * @example
 * ```ts
 * const { columns, rows } = await readDeltaRows(store, "t", snapshot, session);
 * ```
 */
export async function readDeltaRows(
  store: ObjectStore,
  location: string,
  snapshot: DeltaSnapshot,
  session: DuckDbSession,
  signal?: AbortSignal,
): Promise<DeltaRows> {
  const scan = await prepareDeltaScan(store, location, snapshot, session, signal);
  try {
    return { columns: scan.columns, rows: await session.all(scan.sql) };
  } finally {
    await scan.dispose();
  }
}
