import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";

/** A column of the relation to hash: its name and DuckDB type (as DuckDB prints it). */
export interface CanonicalColumn {
  name: string;
  type: string;
}

/** What {@link canonicalRowSql} builds. */
export interface CanonicalRowSql {
  /** A VARCHAR expression: the row's canonical JSON (never NULL). */
  text: string;
  /**
   * A BOOLEAN expression, true for a row with a value `text` does not render exactly
   * (the caller then hashes in JavaScript); `undefined` when every value is exact.
   */
  inexact: string | undefined;
}

/** One value of a column: its JSON text and when that text is not exact. */
interface ValueSql {
  text: string;
  inexact?: string | undefined;
}

/**
 * DuckDB SQL for each row's canonical JSON, exactly the text `createRowSetHash()`
 * (executor-kit) hashes for the same row read through the DuckDB engine: the columns
 * sorted by name, `[["name",value],…]`, each value as JSON.stringify writes the
 * JavaScript value the engine reads (BIGINT as a quoted string, DECIMAL as the
 * shortest number, DATE and TIMESTAMP as `toISOString()` of a millisecond Date).
 *
 * Returns `undefined` when a column's type has no exact SQL rendering here (DOUBLE,
 * FLOAT, BLOB, nested types…): the caller hashes in JavaScript instead. Where only
 * some values of a supported type are out of reach (a DECIMAL with more than 15
 * significant digits, a date outside years 1–9999), `inexact` says which rows.
 *
 * One `concat()` builds the text: a chain of `||` allocates every intermediate string
 * and costs twice as much.
 *
 * @example
 * ```ts
 * canonicalRowSql([{ name: "id", type: "BIGINT" }])?.text;
 * // `concat('[["id",', COALESCE('"' || CAST("id" AS VARCHAR) || '"', 'null'), ']]')`
 * ```
 */
export function canonicalRowSql(columns: readonly CanonicalColumn[]): CanonicalRowSql | undefined {
  if (columns.length === 0) return { text: quoteLiteral("[]"), inexact: undefined };
  // JavaScript's default sort (UTF-16 code units), as the JS hash sorts the row's keys.
  const sorted = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: string[] = [];
  const inexact: string[] = [];
  for (const [index, column] of sorted.entries()) {
    const value = canonicalValueSql(quoteIdentifier(column.name), column.type);
    if (value === undefined) return undefined;
    const opening = `${index === 0 ? "[" : "],"}[${JSON.stringify(column.name)},`;
    parts.push(quoteLiteral(opening), value.text);
    if (value.inexact !== undefined) inexact.push(`COALESCE(${value.inexact}, false)`);
  }
  parts.push(quoteLiteral("]]"));
  return {
    text: `concat(${parts.join(", ")})`,
    inexact: inexact.length === 0 ? undefined : inexact.join(" OR "),
  };
}

const PLAIN_NUMBERS = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  // DuckDB casts these to `true` / `false`, as JSON writes them.
  "BOOLEAN",
]);
// The engine reads these as bigint, which the hash writes as a quoted decimal string.
const BIGINTS = new Set(["BIGINT", "UBIGINT", "HUGEINT", "UHUGEINT"]);

/**
 * The JSON text of one value of `column` (a quoted identifier) of DuckDB type `type`
 * (`null` for NULL) and when it is not exact; `undefined` when the type has no exact
 * rendering.
 */
export function canonicalValueSql(column: string, type: string): ValueSql | undefined {
  const upper = type.trim().toUpperCase();
  if (PLAIN_NUMBERS.has(upper)) return { text: `COALESCE(CAST(${column} AS VARCHAR), 'null')` };
  if (BIGINTS.has(upper)) {
    return { text: `COALESCE('"' || CAST(${column} AS VARCHAR) || '"', 'null')` };
  }
  if (upper === "VARCHAR") return { text: stringSql(column) };
  if (upper === "DATE") {
    // A Date at midnight UTC; toISOString writes years 0–9999 as four digits (others
    // as ±YYYYYY, left to JavaScript), as DuckDB writes years 1–9999.
    return {
      text: `COALESCE('"' || CAST(${column} AS VARCHAR) || 'T00:00:00.000Z"', 'null')`,
      inexact: `NOT (${column} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31')`,
    };
  }
  if (upper === "TIMESTAMP" || upper === "TIMESTAMP WITH TIME ZONE" || upper === "TIMESTAMPTZ") {
    return timestampSql(column);
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal !== null) return decimalSql(column, Number(decimal[1]), Number(decimal[2]));
  return undefined;
}

// JSON.stringify escapes what DuckDB's to_json escapes (control characters, quote,
// backslash; nothing else), but writes \u00XX in lowercase hex: only these nine differ.
const UPPERCASE_ESCAPES = [0x0b, 0x0e, 0x0f, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f];

function stringSql(column: string): string {
  const json = `to_json(${column})`;
  let fixed = json;
  for (const code of UPPERCASE_ESCAPES) {
    const lower = `\\u${code.toString(16).padStart(4, "0")}`;
    const upper = `\\u${code.toString(16).padStart(4, "0").toUpperCase()}`;
    fixed = `replace(${fixed}, ${quoteLiteral(upper)}, ${quoteLiteral(lower)})`;
  }
  // Nine replace() calls on every string would cost more than the rest of the row.
  return `COALESCE(CASE WHEN contains(${json}, '\\u00') THEN ${fixed} ELSE ${json} END, 'null')`;
}

// The engine makes a Date of the microseconds truncated toward zero to milliseconds (so
// before 1970 too: -1.5 ms is -1 ms), both for TIMESTAMP and TIMESTAMPTZ; DuckDB's `%`
// truncates the same way. Outside years 1–9999: left to JavaScript.
function timestampSql(column: string): ValueSql {
  const micros = `epoch_us(${column})`;
  const millis = `make_timestamp(${micros} - ${micros} % 1000)`;
  return {
    text: `COALESCE('"' || strftime(${millis}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z"', 'null')`,
    // epoch_us of ±infinity is NULL: inexact too.
    inexact: `${column} IS NOT NULL AND NOT COALESCE(${micros} BETWEEN -62135596800000000 AND 253402300799999999, false)`,
  };
}

/**
 * The engine reads a DECIMAL as the double nearest to it when its scaled integer is
 * below 10^15 (15 significant digits, which a double keeps), and JSON writes that
 * double in its shortest form: the decimal's own digits without trailing zeros, unless
 * it is below 10^-6 (exponent form). Larger scaled values and those tiny ones are left
 * to JavaScript.
 */
function decimalSql(column: string, width: number, scale: number): ValueSql {
  const text = `CAST(${column} AS VARCHAR)`;
  const shortest = scale === 0 ? text : `rtrim(rtrim(${text}, '0'), '.')`;
  const type = `DECIMAL(${width},${scale})`;
  const inexact: string[] = [];
  if (width > 15) inexact.push(`abs(${column}) >= CAST('${powerOfTen(15 - scale)}' AS ${type})`);
  if (scale > 6) {
    inexact.push(`(${column} <> 0 AND abs(${column}) < CAST('0.000001' AS ${type}))`);
  }
  return {
    text: `COALESCE(${shortest}, 'null')`,
    inexact: inexact.length === 0 ? undefined : inexact.join(" OR "),
  };
}

// 10^exponent as a decimal literal ("1000", "0.01").
function powerOfTen(exponent: number): string {
  return exponent >= 0 ? `1${"0".repeat(exponent)}` : `0.${"0".repeat(-exponent - 1)}1`;
}
