import { quoteIdentifier } from "../internal/sql-quote.js";
import type { DeltaFileStats } from "./delta-file-stats.js";
import type { DeltaStructField } from "./delta-schema.js";
import type { DuckDbSession } from "./duckdb-session.js";

// Delta collects statistics on the first 32 columns by default
// (delta.dataSkippingNumIndexedCols); longer string bounds are truncated by Spark,
// we omit them instead, which is always safe for data skipping.
const INDEXED_COLUMNS = 32;
const MAX_STRING_BOUND = 32;
const NUMERIC = new Set(["long", "integer", "short", "byte", "float", "double"]);

/**
 * Computes a data file's Delta statistics from the rows it holds: `numRecords`, and
 * for top-level primitive columns `nullCount`, `minValues` and `maxValues`.
 * Timestamp bounds are widened to whole milliseconds (floor for min, ceiling for
 * max), because Delta writes them with millisecond precision.
 *
 * @example
 * ```ts
 * const stats = await collectFileStats(session, "SELECT * FROM staged", fields);
 * stats.numRecords; // e.g. 3
 * ```
 */
export async function collectFileStats(
  session: DuckDbSession,
  rowsSql: string,
  fields: readonly DeltaStructField[],
): Promise<DeltaFileStats & { numRecords: number }> {
  const indexed = fields.slice(0, INDEXED_COLUMNS).filter((f) => typeof f.type === "string");
  const parts = ["count(*)::BIGINT AS n"];
  indexed.forEach((field, i) => {
    const c = quoteIdentifier(field.name);
    parts.push(`(count(*) - count(${c}))::BIGINT AS nulls${i}`);
    const bounds = boundsSql(field.type as string, c);
    if (bounds !== undefined) parts.push(`${bounds.min} AS min${i}`, `${bounds.max} AS max${i}`);
  });
  const [row = {}] = await session.json(`SELECT ${parts.join(", ")} FROM (${rowsSql})`);
  const numRecords = Number(row.n ?? 0);
  const nullCount: Record<string, unknown> = {};
  const minValues: Record<string, unknown> = {};
  const maxValues: Record<string, unknown> = {};
  indexed.forEach((field, i) => {
    nullCount[field.name] = Number(row[`nulls${i}`] ?? 0);
    const min = bound(field.type as string, row[`min${i}`], "min");
    const max = bound(field.type as string, row[`max${i}`], "max");
    if (min !== undefined) minValues[field.name] = min;
    if (max !== undefined) maxValues[field.name] = max;
  });
  return { numRecords, minValues, maxValues, nullCount };
}

function boundsSql(type: string, c: string): { min: string; max: string } | undefined {
  if (NUMERIC.has(type) || type.startsWith("decimal")) {
    // Non-finite floats have no JSON spelling: leave their bounds out.
    const finite = type === "float" || type === "double" ? ` FILTER (WHERE isfinite(${c}))` : "";
    return {
      min: `CAST(min(${c})${finite} AS VARCHAR)`,
      max: `CAST(max(${c})${finite} AS VARCHAR)`,
    };
  }
  switch (type) {
    case "string":
      return { min: `left(min(${c}), ${MAX_STRING_BOUND})`, max: `max(${c})` };
    case "date":
      return { min: `strftime(min(${c}), '%Y-%m-%d')`, max: `strftime(max(${c}), '%Y-%m-%d')` };
    case "timestamp":
    case "timestamp_ntz":
      return {
        min: `CAST(epoch_us(min(${c})) AS VARCHAR)`,
        max: `CAST(epoch_us(max(${c})) AS VARCHAR)`,
      };
    default:
      return undefined; // boolean, binary: Delta keeps no bounds for them
  }
}

function bound(type: string, value: unknown, side: "min" | "max"): unknown {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  if (type === "string") return text.length > MAX_STRING_BOUND ? undefined : text;
  if (type === "date") return text;
  if (type === "timestamp" || type === "timestamp_ntz") {
    const micros = BigInt(text);
    // Floor the minimum and ceil the maximum to whole milliseconds: still bounds.
    let millis = micros / 1000n;
    if (micros % 1000n !== 0n && (side === "max") === micros > 0n)
      millis += side === "max" ? 1n : -1n;
    const iso = new Date(Number(millis)).toISOString();
    return type === "timestamp" ? iso : iso.slice(0, -1);
  }
  // JSON numbers are doubles for most readers: leave out bounds a double cannot hold.
  const number = Number(text);
  if (!Number.isFinite(number)) return undefined;
  const digits = text.replace(/[-.]/g, "").replace(/^0+/, "");
  if (type !== "float" && type !== "double" && digits.length > 15) return undefined;
  return number;
}
