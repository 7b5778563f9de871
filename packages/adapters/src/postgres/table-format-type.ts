import type { TableField } from "@controlroom/executor-kit";
import type { PostgresColumn } from "./table-schema-snapshot.js";

// information_schema data types → the table-format type of the values the source
// yields for them (see selectExpression): what bronze stores, not what Postgres stores.
const TYPES: Record<string, string> = {
  // to_char(…) as ISO-8601 UTC with microseconds
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamp",
  // to_char(…, 'YYYY-MM-DD')
  date: "date",
  smallint: "short",
  integer: "integer",
  // exact decimal strings
  bigint: "long",
  boolean: "boolean",
  real: "double",
  "double precision": "double",
  // exact decimal text: bronze keeps it as read, silver casts it
  numeric: "string",
  text: "string",
  "character varying": "string",
  character: "string",
  uuid: "string",
  // JSON text
  json: "string",
  jsonb: "string",
};

/**
 * The table-format type (Delta's names: `long`, `string`, `timestamp`…) matching the
 * values the Postgres source yields for `column`: timestamps → `timestamp`, dates →
 * `date`, smallint/integer/bigint → `short`/`integer`/`long`, real and double →
 * `double`, boolean → `boolean`; numeric, text, uuid, json and jsonb and anything
 * else (arrays, intervals, enums, read as Postgres' text form) → `string`.
 *
 * @example
 * ```ts
 * tableFormatField({ name: "amount", dataType: "numeric", udtName: "numeric", udtSchema: "pg_catalog", nullable: true, ordinal: 3 });
 * // { name: "amount", type: "string", nullable: true }
 * ```
 */
export function tableFormatField(column: PostgresColumn): TableField {
  return {
    name: column.name,
    type: TYPES[column.dataType] ?? "string",
    nullable: column.nullable,
  };
}
