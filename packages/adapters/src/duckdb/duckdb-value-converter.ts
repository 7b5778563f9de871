import {
  type DuckDBDecimalValue,
  DuckDBTypeId,
  type DuckDBValueConverter,
  JSDuckDBValueConverter,
} from "@duckdb/node-api";

/**
 * Converts DuckDB values to JavaScript as `@duckdb/node-api`'s JS converter does
 * (BIGINT and HUGEINT → bigint, TIMESTAMP and DATE → Date, BLOB → Uint8Array, LIST →
 * array, STRUCT → object) except DECIMAL: that converter always gives a double, which
 * silently rounds money. Here a DECIMAL is a number only when the number prints back as
 * the same decimal value, else the exact digits as a string (`"12345678901234567.89"`).
 *
 * @example
 * ```ts
 * const rows = await result.convertRowObjects(duckDbValueConverter);
 * ```
 */
export const duckDbValueConverter: DuckDBValueConverter<unknown> = (value, type, converter) => {
  if (type.typeId === DuckDBTypeId.DECIMAL && value !== null) {
    return decimalToJs(value as DuckDBDecimalValue);
  }
  // Nested values come back through `converter`, i.e. this function, so decimals
  // inside lists and structs get the same treatment.
  return JSDuckDBValueConverter(
    value,
    type,
    converter as unknown as Parameters<typeof JSDuckDBValueConverter>[2],
  );
};

/**
 * A DECIMAL as a number when that is exact after a JSON round trip, else a string.
 *
 * @example
 * ```ts
 * decimalToJs(decimalValue(150n, 5, 2)); // 1.5
 * ```
 */
export function decimalToJs(decimal: DuckDBDecimalValue): number | string {
  const text = decimal.toString();
  const number = Number(text);
  if (Number.isFinite(number) && sameDecimal(number, decimal.value, decimal.scale)) return number;
  return text;
}

// True when `number`'s shortest printed form equals value / 10^scale exactly.
function sameDecimal(number: number, value: bigint, scale: number): boolean {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(number));
  if (match === null) return false;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  const mantissa = BigInt(`${sign}${whole}${fraction}`);
  // number = mantissa * 10^(exponent - fraction.length); compare with value * 10^-scale.
  const shift = Number(exponent) - fraction.length + scale;
  return shift >= 0
    ? mantissa * 10n ** BigInt(shift) === value
    : mantissa === value * 10n ** BigInt(-shift);
}
