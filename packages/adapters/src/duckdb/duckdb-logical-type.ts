import { readQuotedName, splitTopLevel } from "../internal/type-text.js";
import { DuckDbError } from "./duckdb-error.js";

const NAMES: Record<string, string> = {
  VARCHAR: "string",
  BIGINT: "long",
  INTEGER: "integer",
  SMALLINT: "short",
  TINYINT: "byte",
  FLOAT: "float",
  DOUBLE: "double",
  BOOLEAN: "boolean",
  BLOB: "binary",
  DATE: "date",
  "TIMESTAMP WITH TIME ZONE": "timestamp",
  TIMESTAMP: "timestamp_ntz",
};

/**
 * The table format's logical type (Delta names, as the TableFormat port uses) for a
 * DuckDB result type, for creating a table from a query. Types Delta has no name for
 * (HUGEINT, unsigned integers, INTERVAL, UNION…) are refused: cast them in the query.
 *
 * @example
 * ```ts
 * duckDbLogicalType("STRUCT(a BIGINT, b VARCHAR[])"); // "struct<a:long,b:array<string>>"
 * ```
 */
export function duckDbLogicalType(type: string): string {
  const text = type.trim();
  const name = NAMES[text.toUpperCase()];
  if (name !== undefined) return name;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(text);
  if (decimal !== null) return `decimal(${decimal[1]},${decimal[2]})`;
  if (text.endsWith("[]")) return `array<${duckDbLogicalType(text.slice(0, -2))}>`;
  const nested = /^(MAP|STRUCT)\((.*)\)$/is.exec(text);
  if (nested !== null) {
    const parts = splitTopLevel(nested[2] as string, '"', "(", ")");
    if ((nested[1] as string).toUpperCase() === "MAP" && parts.length === 2) {
      return `map<${duckDbLogicalType(parts[0] as string)},${duckDbLogicalType(parts[1] as string)}>`;
    }
    if ((nested[1] as string).toUpperCase() === "STRUCT") {
      const fields = parts.map((part) => {
        const { name: field, rest } = structField(part);
        const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(field)
          ? field
          : `\`${field.replaceAll("`", "``")}\``;
        return `${quoted}:${duckDbLogicalType(rest)}`;
      });
      return `struct<${fields.join(",")}>`;
    }
  }
  throw new DuckDbError(
    "DUCKDB_INVALID_ARGUMENT",
    `the DuckDB type ${text} has no table format type: cast the column in the query`,
  );
}

// A DuckDB struct field `name TYPE` or `"odd name" TYPE`.
function structField(part: string): { name: string; rest: string } {
  if (part.startsWith('"')) {
    const { name, rest } = readQuotedName(part, '"');
    return { name, rest: rest.trim() };
  }
  const space = part.indexOf(" ");
  return { name: part.slice(0, space), rest: part.slice(space + 1).trim() };
}
