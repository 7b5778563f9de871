import { IcebergError } from "./iceberg-error.js";
import { decimalOf } from "./iceberg-schema.js";

/**
 * The Avro schema (JSON) of a value of an Iceberg primitive type, as the spec's Avro
 * mapping gives it: `date` an int with logicalType `date`, timestamps longs in
 * microseconds with `adjust-to-utc`, decimals fixed with the fewest bytes that hold
 * the precision, uuid a 16-byte fixed.
 *
 * @example
 * ```ts
 * avroTypeOf("decimal(10, 2)", "p1000"); // { type: "fixed", name: "p1000_decimal", size: 5, logicalType: "decimal", precision: 10, scale: 2 }
 * ```
 */
export function avroTypeOf(type: string, name: string): unknown {
  const decimal = decimalOf(type);
  if (decimal !== undefined) {
    return {
      type: "fixed",
      name: `${name}_decimal`,
      size: decimalBytes(decimal.precision),
      logicalType: "decimal",
      precision: decimal.precision,
      scale: decimal.scale,
    };
  }
  const fixed = /^fixed\[(\d+)\]$/.exec(type);
  if (fixed !== null) return { type: "fixed", name: `${name}_fixed`, size: Number(fixed[1]) };
  switch (type) {
    case "boolean":
    case "int":
    case "long":
    case "float":
    case "double":
    case "string":
      return type;
    case "binary":
      return "bytes";
    case "date":
      return { type: "int", logicalType: "date" };
    case "time":
      return { type: "long", logicalType: "time-micros" };
    case "timestamp":
      return { type: "long", logicalType: "timestamp-micros", "adjust-to-utc": false };
    case "timestamptz":
      return { type: "long", logicalType: "timestamp-micros", "adjust-to-utc": true };
    case "uuid":
      return { type: "fixed", name: `${name}_uuid`, size: 16, logicalType: "uuid" };
    default:
      throw new IcebergError("ICEBERG_UNSUPPORTED_FEATURE", `no Avro type for Iceberg ${type}`);
  }
}

/** The fewest bytes of a two's-complement integer that hold `precision` decimal digits. */
export function decimalBytes(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision) - 1n) bytes++;
  return bytes;
}

/**
 * A name Avro accepts (`[A-Za-z_][A-Za-z0-9_]*`) for an Iceberg field name: each other
 * character becomes `_x` and its code in hex, a leading digit gets a `_` in front.
 * Readers find fields by `field-id`, so the name only has to be valid and stable.
 */
export function avroName(name: string): string {
  let result = "";
  for (const char of name) {
    result += /[A-Za-z0-9_]/.test(char)
      ? char
      : `_x${(char.codePointAt(0) as number).toString(16).toUpperCase()}`;
  }
  return /^[0-9]/.test(result) || result === "" ? `_${result}` : result;
}
