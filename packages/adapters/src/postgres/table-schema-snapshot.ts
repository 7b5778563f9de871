import type { RunQuery } from "./run-query.js";

/** One column of a table, as `information_schema.columns` describes it. */
export interface PostgresColumn {
  name: string;
  /** `information_schema` data type, e.g. `timestamp without time zone`, `numeric`, `jsonb`, `ARRAY`. */
  dataType: string;
  /** The underlying type's name, e.g. `timestamp`, `numeric`, `_int4` (element type of arrays). */
  udtName: string;
  /** The schema of `udtName` (`pg_catalog` for built-in types). */
  udtSchema: string;
  nullable: boolean;
  /** 1-based position in the table. */
  ordinal: number;
}

/** A table's columns at one moment: compare two with `detectSchemaDrift`. */
export interface TableSchemaSnapshot {
  schema: string;
  table: string;
  /** Ordered by `ordinal`. */
  columns: PostgresColumn[];
  /** When the snapshot was taken (ISO-8601). */
  takenAt: string;
}

/**
 * Reads the columns of `schema.table` from `information_schema.columns` (portable across
 * Postgres, PGlite and Supabase, and limited to what the caller may see). A table that
 * does not exist yields no columns; the caller decides whether that is an error.
 *
 * @example
 * ```ts
 * const snapshot = await snapshotTableSchema(runQueryOn(sql), "public", "account_move");
 * snapshot.columns.map((column) => column.name);
 * ```
 */
export async function snapshotTableSchema(
  run: RunQuery,
  schema: string,
  table: string,
  now: () => Date = () => new Date(),
): Promise<TableSchemaSnapshot> {
  const rows = await run<{
    column_name: string;
    data_type: string;
    udt_name: string;
    udt_schema: string;
    is_nullable: string;
    ordinal_position: number | string;
  }>(
    `select column_name, data_type, udt_name, udt_schema, is_nullable, ordinal_position
       from information_schema.columns
      where table_schema = $1 and table_name = $2
      order by ordinal_position`,
    [schema, table],
  );
  return {
    schema,
    table,
    columns: rows.map((row) => ({
      name: row.column_name,
      dataType: row.data_type,
      udtName: row.udt_name,
      udtSchema: row.udt_schema,
      nullable: row.is_nullable === "YES",
      ordinal: Number(row.ordinal_position),
    })),
    takenAt: now().toISOString(),
  };
}
