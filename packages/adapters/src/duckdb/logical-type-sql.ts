import { quoteIdentifier } from "../internal/sql-quote.js";
import { readQuotedName, splitTopLevel } from "../internal/type-text.js";
import { DuckDbError } from "./duckdb-error.js";

const PRIMITIVES: Record<string, string> = {
  string: "VARCHAR",
  long: "BIGINT",
  integer: "INTEGER",
  int: "INTEGER",
  short: "SMALLINT",
  byte: "TINYINT",
  float: "FLOAT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  binary: "BLOB",
  date: "DATE",
  // Delta's `timestamp` is an instant; `timestamp_ntz` (Iceberg `timestamp`) a wall-clock time.
  timestamp: "TIMESTAMPTZ",
  timestamptz: "TIMESTAMPTZ",
  timestamp_ntz: "TIMESTAMP",
  uuid: "UUID",
  time: "TIME",
};

/**
 * The DuckDB type of a table format's logical type name, as the TableFormat port
 * spells them (Delta's `long`, `decimal(10,2)`, `array<string>`,
 * `struct<a:long,b:string>`, `map<string,long>`; Iceberg's `int` and `timestamptz`).
 *
 * @example
 * ```ts
 * logicalTypeSql("map<string,decimal(10,2)>"); // "MAP(VARCHAR, DECIMAL(10,2))"
 * ```
 */
export function logicalTypeSql(type: string): string {
  const text = type.trim();
  const lower = text.toLowerCase();
  const primitive = PRIMITIVES[lower];
  if (primitive !== undefined) return primitive;
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(lower);
  if (decimal !== null) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const nested = /^(array|map|struct)\s*<(.*)>$/s.exec(text);
  if (nested !== null) {
    const [, kind = "", inner = ""] = nested;
    const parts = splitTopLevel(inner, "`", "<(", ">)").filter((part) => part !== "");
    if (kind.toLowerCase() === "array" && parts.length === 1) {
      return `${logicalTypeSql(parts[0] as string)}[]`;
    }
    if (kind.toLowerCase() === "map" && parts.length === 2) {
      return `MAP(${logicalTypeSql(parts[0] as string)}, ${logicalTypeSql(parts[1] as string)})`;
    }
    if (kind.toLowerCase() === "struct") {
      const fields = parts.map((part) => {
        const { name, rest } = fieldName(part);
        return `${quoteIdentifier(name)} ${logicalTypeSql(rest)}`;
      });
      return `STRUCT(${fields.join(", ")})`;
    }
  }
  throw new DuckDbError("DUCKDB_INVALID_ARGUMENT", `no DuckDB type for the column type "${type}"`);
}

// A struct field `name:type`, the name possibly in backticks (doubled inside).
function fieldName(part: string): { name: string; rest: string } {
  if (part.startsWith("`")) {
    const { name, rest } = readQuotedName(part, "`");
    return { name, rest: rest.replace(/^\s*:/, "") };
  }
  const colon = part.indexOf(":");
  if (colon < 0) {
    throw new DuckDbError("DUCKDB_INVALID_ARGUMENT", `bad struct field "${part}"`);
  }
  return { name: part.slice(0, colon).trim(), rest: part.slice(colon + 1) };
}
