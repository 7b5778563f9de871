import type { PostgresColumn } from "./table-schema-snapshot.js";

// Odoo stores UTC in `timestamp without time zone`; we print it with a Z and all six
// fractional digits, so a cursor round-trips exactly (a millisecond Date would not).
const ISO_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

// Types both drivers already return as JSON-safe values, identically.
const NATIVE = new Set([
  "integer",
  "smallint",
  "boolean",
  "text",
  "character varying",
  "character",
  "uuid",
  "json",
  "jsonb",
  "real",
  "double precision",
]);

/**
 * Quotes a Postgres identifier.
 *
 * @example
 * ```ts
 * quoteIdent('write_date'); // "\"write_date\""
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The select-list expression of `column`, normalised so that rows are plain JSON values
 * and identical across postgres.js and PGlite: timestamps as ISO-8601 UTC strings with
 * microseconds, dates as `YYYY-MM-DD`, numeric and bigint as exact decimal strings
 * (postgres.js and PGlite disagree on bigint, and numbers would round), anything
 * unusual (arrays, intervals, bytea, enums) as Postgres' text form.
 *
 * @example
 * ```ts
 * selectExpression(writeDateColumn); // to_char("write_date", '…') AS "write_date"
 * ```
 */
export function selectExpression(column: PostgresColumn): string {
  const name = quoteIdent(column.name);
  return `${valueExpression(column, name)} AS ${name}`;
}

function valueExpression(column: PostgresColumn, name: string): string {
  if (NATIVE.has(column.dataType)) return name;
  switch (column.dataType) {
    case "timestamp without time zone":
      return `to_char(${name}, ${ISO_MICROS})`;
    case "timestamp with time zone":
      return `to_char(${name} AT TIME ZONE 'UTC', ${ISO_MICROS})`;
    case "date":
      return `to_char(${name}, 'YYYY-MM-DD')`;
    default:
      return `${name}::text`;
  }
}

/**
 * The cast of a cursor parameter, so that it compares as the column does. Parameters go
 * in as text first: postgres.js would otherwise serialise a timestamp parameter through a
 * JavaScript Date and cut it to milliseconds.
 *
 * @example
 * ```ts
 * `$1${castType(column)}`; // $1::text::"pg_catalog"."timestamp"
 * ```
 */
export function castType(column: PostgresColumn): string {
  return `::text::${quoteIdent(column.udtSchema)}.${quoteIdent(column.udtName)}`;
}

/** Whether `column` is a timestamp or date (overlap windows apply to these). */
export function isTemporal(column: PostgresColumn): boolean {
  return (
    column.dataType === "timestamp without time zone" ||
    column.dataType === "timestamp with time zone" ||
    column.dataType === "date"
  );
}

/** Whether `column` holds integers (cursor values must then be integers). */
export function isInteger(column: PostgresColumn): boolean {
  return (
    column.dataType === "integer" || column.dataType === "smallint" || column.dataType === "bigint"
  );
}
