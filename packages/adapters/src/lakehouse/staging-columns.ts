import type { TableField, TableSchema } from "@controlroom/executor-kit";
import { logicalTypeSql } from "../duckdb/logical-type-sql.js";
import { LakehouseError } from "../internal/lakehouse-error.js";
import { quoteIdentifier } from "../internal/sql-quote.js";

/** How one column's values are staged as JSON and read back by DuckDB's `read_json`. */
export interface StagingColumn {
  name: string;
  /** The DuckDB type `read_json` parses the JSON value as. */
  readType: string;
  /** The select-list expression turning the parsed value into the column's value. */
  selectSql: string;
  /**
   * The value as a JSON value (`null` for null). Throws `LAKEHOUSE_INVALID_VALUE` when
   * it does not fit the column. `row` is the 0-based row number, for the message.
   */
  toJson(value: unknown, row: number): unknown;
}

/** The column types {@link stagingColumns} accepts (Delta's names). */
export const STAGING_TYPES = [
  "boolean",
  "byte",
  "short",
  "integer",
  "long",
  "float",
  "double",
  "decimal(p,s)",
  "string",
  "binary",
  "date",
  "timestamp",
] as const;

type Convert = (value: unknown) => unknown;

// A value that does not fit its column; turned into a LakehouseError by toJson.
class InvalidValue {
  constructor(readonly reason: string) {}
}

const INTEGER_BITS: Record<string, number> = { byte: 8, short: 16, integer: 32, long: 64 };
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|[+-]?inf(?:inity)?)$/i;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * How each column of `schema` is staged: the JSON form of its values (bigints and
 * decimals as strings so nothing rounds, Dates as ISO-8601, bytes as base64, anything
 * given for a `string` column as text) and the DuckDB type `read_json` reads it as.
 * Throws `LAKEHOUSE_UNSUPPORTED_TYPE` for types outside {@link STAGING_TYPES}.
 *
 * @example
 * ```ts
 * const [id] = stagingColumns({ fields: [{ name: "id", type: "long", nullable: false }] }, "bronze/t");
 * id?.toJson(42n, 0); // "42"
 * ```
 */
export function stagingColumns(schema: TableSchema, location: string): StagingColumn[] {
  return schema.fields.map((field) => stagingColumn(field, location));
}

function stagingColumn(field: TableField, location: string): StagingColumn {
  const type = field.type.trim().toLowerCase();
  const convert = converterOf(type);
  if (convert === undefined) {
    throw new LakehouseError(
      "LAKEHOUSE_UNSUPPORTED_TYPE",
      `cannot write rows to ${location}: column "${field.name}" has the type ${field.type}; appendRows supports ${STAGING_TYPES.join(", ")}`,
      { location, column: field.name },
    );
  }
  const name = quoteIdentifier(field.name);
  return {
    name: field.name,
    readType: type === "binary" ? "VARCHAR" : logicalTypeSql(type),
    selectSql: type === "binary" ? `from_base64(${name}) AS ${name}` : name,
    toJson(value, row) {
      if (value === null || value === undefined) {
        if (field.nullable) return null;
        throw invalid(field, location, row, "null in a column that is not nullable");
      }
      const json = convert(value);
      if (json instanceof InvalidValue) throw invalid(field, location, row, json.reason);
      return json;
    },
  };
}

function invalid(field: TableField, location: string, row: number, reason: string) {
  return new LakehouseError(
    "LAKEHOUSE_INVALID_VALUE",
    `cannot write rows to ${location}: column "${field.name}" (${field.type}) of row ${row}: ${reason}`,
    { location, column: field.name },
  );
}

function converterOf(type: string): Convert | undefined {
  const bits = INTEGER_BITS[type];
  if (bits !== undefined) return integer(bits);
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal !== null) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > 38 || scale > precision) return undefined;
    return decimalOf(precision, scale);
  }
  switch (type) {
    case "boolean":
      return (value) => (typeof value === "boolean" ? value : wrong(value, "a boolean"));
    case "float":
    case "double":
      return floating;
    case "string":
      return text;
    case "binary":
      return binary;
    case "date":
      return date;
    case "timestamp":
      return timestamp;
    default:
      return undefined;
  }
}

function integer(bits: number): Convert {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  return (value) => {
    let n: bigint;
    if (typeof value === "bigint") n = value;
    else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
    else if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) n = BigInt(value.trim());
    else return wrong(value, "an integer");
    if (n < min || n > max) return new InvalidValue(`${n} is out of range`);
    // Longs travel as strings: JSON numbers are doubles to most readers.
    return bits > 32 ? n.toString() : Number(n);
  };
}

function floating(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && NUMBER_TEXT.test(value.trim())) return value.trim();
  return wrong(value, "a number");
}

function decimalOf(precision: number, scale: number): Convert {
  return (value) => {
    let digits: string;
    if (typeof value === "number" && Number.isFinite(value)) digits = String(value);
    else if (typeof value === "bigint") digits = value.toString();
    else if (typeof value === "string" && DECIMAL_TEXT.test(value.trim())) digits = value.trim();
    else return wrong(value, "a decimal number");
    // Plain notation: the integer part must fit; extra fraction digits are rounded by DuckDB.
    if (!/e/i.test(digits)) {
      const whole = (digits.replace(/^[+-]/, "").split(".")[0] ?? "").replace(/^0+/, "");
      if (whole.length > precision - scale) {
        return new InvalidValue(`${digits} does not fit decimal(${precision},${scale})`);
      }
    }
    // As text, so that DuckDB parses the exact decimal, not a double.
    return digits;
  };
}

function text(value: unknown): unknown {
  if (typeof value === "string") return value;
  if (value instanceof Date) return isoString(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "object") {
    // jsonb and other structured values as JSON text; bigints inside as decimal strings.
    return JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === "bigint" ? inner.toString() : inner,
    );
  }
  return String(value);
}

function binary(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64");
  return wrong(value, "bytes (a Uint8Array) or a string");
}

function date(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = isoString(value);
    return iso instanceof InvalidValue ? iso : iso.slice(0, 10);
  }
  if (typeof value === "string") return value;
  return wrong(value, "a date (a Date or YYYY-MM-DD)");
}

function timestamp(value: unknown): unknown {
  if (value instanceof Date) return isoString(value);
  if (typeof value === "string") return value;
  return wrong(value, "a timestamp (a Date or an ISO-8601 string)");
}

function isoString(value: Date): string | InvalidValue {
  return Number.isNaN(value.getTime()) ? new InvalidValue("an invalid Date") : value.toISOString();
}

function wrong(value: unknown, expected: string): InvalidValue {
  return new InvalidValue(`${describe(value)} is not ${expected}`);
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return "a Date";
  if (value instanceof Uint8Array) return "a Uint8Array";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
