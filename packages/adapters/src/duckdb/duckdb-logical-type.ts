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
    const parts = splitTopLevel(nested[2] as string);
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

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

// A DuckDB struct field `name TYPE` or `"odd name" TYPE`.
function structField(part: string): { name: string; rest: string } {
  if (part.startsWith('"')) {
    let i = 1;
    let name = "";
    for (; i < part.length; i++) {
      if (part[i] === '"') {
        if (part[i + 1] === '"') {
          name += '"';
          i++;
          continue;
        }
        break;
      }
      name += part[i];
    }
    return { name, rest: part.slice(i + 1).trim() };
  }
  const space = part.indexOf(" ");
  return { name: part.slice(0, space), rest: part.slice(space + 1).trim() };
}
