import type { SqlValue } from "@controlroom/executor-kit";
import { quoteLiteral } from "../internal/sql-quote.js";
import { TrinoError } from "./trino-error.js";

const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A parameter value as the Trino SQL literal it binds as: strings → VARCHAR, integral
 * numbers → INTEGER (BIGINT past 32 bits), other numbers → DOUBLE (`nan()`,
 * `infinity()`), bigint → BIGINT, boolean → BOOLEAN, Date → TIMESTAMP(3) WITH TIME ZONE
 * in UTC, Uint8Array → VARBINARY, null → NULL. Anything else is a `TrinoError` with
 * code `TRINO_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * toTrinoLiteral(new Date("2024-05-06T07:08:09.010Z"), 1);
 * // "TIMESTAMP '2024-05-06 07:08:09.010 UTC'"
 * ```
 */
export function toTrinoLiteral(value: SqlValue, position: number): string {
  if (value === null) return "NULL";
  switch (typeof value) {
    case "string":
      return quoteLiteral(value);
    case "boolean":
      return value ? "TRUE" : "FALSE";
    case "number":
      if (Number.isNaN(value)) return "nan()";
      if (!Number.isFinite(value)) return value > 0 ? "infinity()" : "-infinity()";
      if (Number.isInteger(value) && Math.abs(value) <= INT32_MAX) return String(value);
      if (Number.isSafeInteger(value)) return `BIGINT '${value}'`;
      return `DOUBLE '${value}'`;
    case "bigint":
      if (value < INT64_MIN || value > INT64_MAX) {
        throw invalid(position, `${value} does not fit in a BIGINT`);
      }
      return `BIGINT '${value}'`;
  }
  if (value instanceof Date) {
    const iso = Number.isNaN(value.getTime()) ? "" : value.toISOString();
    // toISOString writes years past 9999 as "+010000", which Trino does not read.
    if (!/^\d{4}-/.test(iso)) throw invalid(position, "a Date must be valid, in years 0–9999");
    return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC'`;
  }
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString("hex")}'`;
  throw invalid(position, `${describe(value)} has no Trino type`);
}

function invalid(position: number, message: string): TrinoError {
  return new TrinoError("TRINO_INVALID_ARGUMENT", `parameter ${position}: ${message}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}
