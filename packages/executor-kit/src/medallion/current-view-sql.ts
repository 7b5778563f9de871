import type { MedallionStream } from "./medallion-config.js";

/** Quotes an SQL identifier the standard way (DuckDB, Trino and Postgres agree). */
export function quoteSqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The `current_<stream>` view: one row per primary key, the newest by the cursor
 * fields (ingest time breaks ties between re-reads of the same version), with the
 * source's columns only. Standard SQL, so it runs on DuckDB and Trino alike.
 *
 * @example
 * ```ts
 * currentViewSql(stream, "bronze_account_move", ["id", "name", "write_date"]);
 * ```
 */
export function currentViewSql(
  stream: MedallionStream,
  bronzeView: string,
  sourceColumns: readonly string[],
): string {
  const q = quoteSqlIdentifier;
  const partition = stream.primaryKey.map(q).join(", ");
  const order = [...stream.cursorFields, "_ingested_at"].map((f) => `${q(f)} DESC`).join(", ");
  const columns = sourceColumns.map(q).join(", ");
  return (
    `SELECT ${columns} FROM (SELECT ${columns}, row_number() OVER ` +
    `(PARTITION BY ${partition} ORDER BY ${order}) AS "__controlroom_rank" ` +
    `FROM ${q(bronzeView)}) AS ranked WHERE "__controlroom_rank" = 1`
  );
}
