import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";

/** A column of the relation to hash: its name and DuckDB type (as DuckDB prints it). */
export interface CanonicalColumn {
  name: string;
  type: string;
}

/** A test, over all rows, for values of one column that the SQL text does not render exactly. */
export interface InexactCheck {
  /** The column, as a quoted identifier of the relation. */
  column: string;
  /**
   * A BOOLEAN aggregate over `ref` (the column as the aggregating query names it), true
   * when some value is out of reach; NULL (no rows, or only NULLs) means none is.
   */
  aggregate(ref: string): string;
}

/** What {@link canonicalRowSql} builds. */
export interface CanonicalRowSql {
  /**
   * A VARCHAR expression over the relation's columns: the row's JSON (never NULL), with
   * strings as DuckDB's to_json writes them.
   */
  json: string;
  /**
   * The canonical text from `ref`, the name a query gives `json`: what `json` needs
   * for it to be exactly the JavaScript text. `ref` is used more than once, so name
   * `json` in a subquery rather than pass it here.
   */
  canonical(ref: string): string;
  /** One per column with values `json` may not render exactly (the caller then hashes in JavaScript). */
  inexact: InexactCheck[];
}

/**
 * How one value renders: the literal `open`, then `parts`, SQL expressions that are each
 * NULL exactly when the value is. A NULL value writes `null` instead of `open`, and
 * `concat()` skips its parts. Without `open`, the one part is the whole value and a
 * COALESCE writes `null`.
 */
interface ValueSql {
  open?: string | undefined;
  parts: string[];
  /** True when a part is to_json text, whose escapes {@link lowercaseEscapes} fixes. */
  escapes?: boolean | undefined;
  inexact?: ((ref: string) => string) | undefined;
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
 * significant digits, a date outside years 1–9999), `inexact` has aggregates that
 * tell, computed in the same pass as the hash.
 *
 * The row is one `concat()` of literals and casts. Quotes and the `T00:00:00.000Z` of
 * dates are literals too, picked by a CASE on NULL, because a chain of `||` allocates
 * every intermediate string; and string functions (rtrim, replace, strftime) cost two
 * to four times a cast. Rendering this way costs about half of what it did, so the
 * SHA-256 of the text is now most of the hashing.
 *
 * @example
 * ```ts
 * const row = canonicalRowSql([{ name: "id", type: "INTEGER" }]);
 * row?.json; // `concat('[["id",', COALESCE(CAST("id" AS VARCHAR), 'null'), ']]')`
 * const sql = `SELECT sha256(${row?.canonical("j")}) FROM (SELECT ${row?.json} AS j FROM t)`;
 * ```
 */
export function canonicalRowSql(columns: readonly CanonicalColumn[]): CanonicalRowSql | undefined {
  if (columns.length === 0)
    return { json: quoteLiteral("[]"), canonical: (ref) => ref, inexact: [] };
  // JavaScript's default sort (UTF-16 code units), as the JS hash sorts the row's keys.
  const sorted = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pieces: string[] = [];
  const inexact: InexactCheck[] = [];
  let escapes = false;
  for (const [index, column] of sorted.entries()) {
    const ref = quoteIdentifier(column.name);
    const value = canonicalValueSql(ref, column.type);
    if (value === undefined) return undefined;
    const opening = `${index === 0 ? "[" : "],"}[${JSON.stringify(column.name)},`;
    if (value.open === undefined) {
      pieces.push(quoteLiteral(opening), `COALESCE(${value.parts.join(", ")}, 'null')`);
    } else {
      const ifNull = quoteLiteral(`${opening}null`);
      pieces.push(
        `CASE WHEN ${ref} IS NULL THEN ${ifNull} ELSE ${quoteLiteral(opening + value.open)} END`,
      );
      pieces.push(...value.parts);
    }
    if (value.inexact !== undefined) inexact.push({ column: ref, aggregate: value.inexact });
    escapes ||= value.escapes === true;
  }
  pieces.push(quoteLiteral("]]"));
  return {
    json: `concat(${pieces.join(", ")})`,
    canonical: escapes ? lowercaseEscapes : (ref) => ref,
    inexact,
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
 * and when it is not exact; `undefined` when the type has no exact rendering.
 */
function canonicalValueSql(column: string, type: string): ValueSql | undefined {
  const upper = type.trim().toUpperCase();
  const text = `CAST(${column} AS VARCHAR)`;
  if (PLAIN_NUMBERS.has(upper)) return { parts: [text] };
  if (BIGINTS.has(upper)) return { open: '"', parts: [text, whenNotNull(column, '"')] };
  if (upper === "VARCHAR") return { parts: [`to_json(${column})`], escapes: true };
  if (upper === "DATE") {
    // A Date at midnight UTC; toISOString writes years 0–9999 as four digits (others
    // as ±YYYYYY, left to JavaScript), as DuckDB writes years 1–9999. ±infinity sort
    // outside that range too.
    return {
      open: '"',
      parts: [text, whenNotNull(column, 'T00:00:00.000Z"')],
      inexact: (ref) => `min(${ref}) < DATE '0001-01-01' OR max(${ref}) > DATE '9999-12-31'`,
    };
  }
  if (upper === "TIMESTAMP") return timestampSql(column, "TIMESTAMP");
  if (upper === "TIMESTAMP WITH TIME ZONE" || upper === "TIMESTAMPTZ") {
    return timestampSql(column, "TIMESTAMPTZ");
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal !== null) return decimalSql(column, Number(decimal[1]), Number(decimal[2]));
  return undefined;
}

// A literal that is NULL when `column` is, so concat() leaves it out for a NULL value.
function whenNotNull(column: string, literal: string): string {
  return `CASE WHEN ${column} IS NOT NULL THEN ${quoteLiteral(literal)} END`;
}

// JSON.stringify escapes what DuckDB's to_json escapes (control characters, quote,
// backslash; nothing else), but writes \u00XX in lowercase hex: only these nine differ.
const UPPERCASE_ESCAPES = [0x0b, 0x0e, 0x0f, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f];

/**
 * The row's JSON `ref` with to_json's uppercase escapes made lowercase. Once per row,
 * not per string: nine replace() calls per string made the query take longer to plan
 * (about 10 ms) than to run on a small table. Only text that holds `\u00` needs them,
 * and a test of the whole row costs less than one per string.
 *
 * An escaped backslash followed by `u001F` in the data is not an escape. In JSON text
 * every backslash starts an escape, so every `\\` found reading left to right is an
 * escaped backslash: those are swapped for chr(1) first (which JSON text never holds
 * unescaped) and back after.
 */
function lowercaseEscapes(ref: string): string {
  let fixed = `replace(${ref}, '\\\\', chr(1))`;
  for (const code of UPPERCASE_ESCAPES) {
    const lower = `\\u${code.toString(16).padStart(4, "0")}`;
    const upper = `\\u${code.toString(16).padStart(4, "0").toUpperCase()}`;
    fixed = `replace(${fixed}, ${quoteLiteral(upper)}, ${quoteLiteral(lower)})`;
  }
  fixed = `replace(${fixed}, chr(1), '\\\\')`;
  return `CASE WHEN contains(${ref}, '\\u00') THEN ${fixed} ELSE ${ref} END`;
}

/**
 * The engine makes a Date of the microseconds truncated toward zero to milliseconds (so
 * before 1970 too: -1.5 ms is -1 ms), both for TIMESTAMP and TIMESTAMPTZ; DuckDB's `%`
 * truncates the same way. That instant is written as its date, `T`, its time (which
 * DuckDB writes without trailing zeros in the fraction, or without a fraction at all)
 * and the zeros toISOString keeps: two casts, where strftime() costs half as much again.
 * Outside years 1–9999 (and ±infinity): left to JavaScript.
 */
function timestampSql(column: string, type: "TIMESTAMP" | "TIMESTAMPTZ"): ValueSql {
  const micros = `(epoch_us(${column}) - epoch_us(${column}) % 1000)`;
  const millis = `make_timestamp(${micros})`;
  const zone = type === "TIMESTAMPTZ" ? "+00" : "";
  return {
    open: '"',
    parts: [
      `CAST(CAST(${millis} AS DATE) AS VARCHAR)`,
      whenNotNull(column, "T"),
      `CAST(CAST(${millis} AS TIME) AS VARCHAR)`,
      // Divisibility does not depend on the sign: these hold before 1970 too.
      `CASE WHEN ${micros} % 1000000 = 0 THEN '.000Z"' WHEN ${micros} % 100000 = 0 THEN '00Z"' WHEN ${micros} % 10000 = 0 THEN '0Z"' WHEN ${column} IS NOT NULL THEN 'Z"' END`,
    ],
    inexact: (ref) =>
      `min(${ref}) < ${type} '0001-01-01 00:00:00${zone}' OR max(${ref}) > ${type} '9999-12-31 23:59:59.999999${zone}'`,
  };
}

/**
 * The engine reads a DECIMAL as the double nearest to it when its scaled integer is
 * below 10^15 (15 significant digits, which a double keeps), and JSON writes that
 * double in its shortest form: the decimal's own digits without trailing zeros, unless
 * it is below 10^-6 (exponent form). Larger scaled values and those tiny ones are left
 * to JavaScript.
 *
 * The trailing zeros go by exact decimal arithmetic: the value is cast to the smallest
 * scale that holds it, whose text has no trailing zero. The most common case (a last
 * digit that is not zero) is tested first; two rtrim() calls cost nearly three times more.
 */
function decimalSql(column: string, width: number, scale: number): ValueSql {
  // DuckDB writes a DECIMAL without integer digits without the leading zero (".5"): one
  // more digit of width brings it back. DECIMAL(38,38) cannot widen, but its only exact
  // value is 0 (others are below 10^-23).
  const text =
    width > scale || width === 38
      ? `CAST(${column} AS VARCHAR)`
      : `CAST(CAST(${column} AS DECIMAL(${width + 1},${scale})) AS VARCHAR)`;
  const branches: string[] = [];
  for (let kept = scale; kept > 0; kept--) {
    // The value needs `kept` digits after the point unless it is a multiple of
    // 10^-(kept-1); DECIMAL `%` is exact.
    const unit = kept === 1 ? "1" : `0.${"0".repeat(kept - 2)}1`;
    const rendering =
      kept === scale ? text : `CAST(CAST(${column} AS DECIMAL(${width},${kept})) AS VARCHAR)`;
    branches.push(`WHEN ${column} % ${unit} <> 0 THEN ${rendering}`);
  }
  const type = `DECIMAL(${width},${scale})`;
  const whole = `CAST(CAST(${column} AS DECIMAL(${width},0)) AS VARCHAR)`;
  const checks: ((ref: string) => string)[] = [];
  if (width > 15) {
    const bound = `CAST('${powerOfTen(15 - scale)}' AS ${type})`;
    checks.push((ref) => `max(${ref}) >= ${bound} OR min(${ref}) <= -${bound}`);
  }
  if (scale > 6) {
    const tiny = `CAST('0.000001' AS ${type})`;
    checks.push((ref) => `bool_or(${ref} <> 0 AND abs(${ref}) < ${tiny})`);
  }
  return {
    parts: [scale === 0 ? text : `CASE ${branches.join(" ")} ELSE ${whole} END`],
    inexact:
      checks.length === 0 ? undefined : (ref) => checks.map((check) => check(ref)).join(" OR "),
  };
}

// 10^exponent as a decimal literal ("1000", "0.01").
function powerOfTen(exponent: number): string {
  return exponent >= 0 ? `1${"0".repeat(exponent)}` : `0.${"0".repeat(-exponent - 1)}1`;
}
