import { quoteLiteral } from "../internal/sql-quote.js";
import { DeltaError } from "./delta-errors.js";
import type { DeltaType } from "./delta-schema.js";
import { duckDbType } from "./delta-schema.js";

/** The directory name Hive and Delta use for a null partition value. */
export const NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

/**
 * A SQL expression (DuckDB) for a partition value as the log stores it, typed as its
 * column: `null` and `""` are NULL; timestamps without a zone are UTC (the session
 * zone is UTC); binary values are their UTF-8 bytes.
 *
 * @example
 * ```ts
 * partitionValueSql("2021-09-08 11:11:11", "timestamp"); // "CAST('2021-09-08 11:11:11' AS TIMESTAMPTZ)"
 * ```
 */
export function partitionValueSql(value: string | null | undefined, type: DeltaType): string {
  if (typeof type !== "string") {
    throw new DeltaError("DELTA_INVALID_ARGUMENT", "partition columns must have a primitive type");
  }
  const target = duckDbType(type);
  if (value == null || value === "") return `CAST(NULL AS ${target})`;
  if (type === "binary") return `encode(${quoteLiteral(value)})`;
  return `CAST(${quoteLiteral(value)} AS ${target})`;
}

/**
 * A SQL expression (DuckDB) that renders a column's value the way Delta stores
 * partition values: `true`/`false`, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS.ffffff` (UTC),
 * decimals and numbers as text; NULL stays NULL.
 *
 * @example
 * ```ts
 * partitionStringSql('"day"', "date"); // "strftime(\"day\", '%Y-%m-%d')"
 * ```
 */
export function partitionStringSql(column: string, type: DeltaType): string {
  if (typeof type !== "string" || type === "binary") {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      `cannot partition by a column of type ${JSON.stringify(type)}`,
    );
  }
  switch (type) {
    case "string":
      return column;
    case "boolean":
      return `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} THEN 'true' ELSE 'false' END`;
    case "date":
      return `strftime(${column}, '%Y-%m-%d')`;
    case "timestamp":
    case "timestamp_ntz":
      return `strftime(${column}, '%Y-%m-%d %H:%M:%S.%f')`;
    default:
      return `CAST(${column} AS VARCHAR)`;
  }
}

// Characters Hive escapes in partition directory names (as Spark's escapePathName).
const ESCAPED_PUNCTUATION = new Set([
  '"',
  "#",
  "%",
  "'",
  "*",
  "/",
  ":",
  "=",
  "?",
  "\\",
  "{",
  "[",
  "]",
  "^",
]);

/**
 * The relative directory of one partition, `a=1/b=__HIVE_DEFAULT_PARTITION__`, with
 * Hive's escaping of names and values (`/` → `%2F`, `%` → `%25`…).
 *
 * @example
 * ```ts
 * partitionDirectory(["letter"], { letter: "a/b" }); // "letter=a%2Fb"
 * ```
 */
export function partitionDirectory(
  columns: readonly string[],
  values: Readonly<Record<string, string | null>>,
): string {
  return columns
    .map((column) => {
      const value = values[column];
      const shown = value == null || value === "" ? NULL_PARTITION : escapePathPart(value);
      return `${escapePathPart(column)}=${shown}`;
    })
    .join("/");
}

function escapePathPart(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    const escaped = code < 0x20 || code === 0x7f || ESCAPED_PUNCTUATION.has(char);
    out += escaped ? `%${code.toString(16).toUpperCase().padStart(2, "0")}` : char;
  }
  return out;
}
