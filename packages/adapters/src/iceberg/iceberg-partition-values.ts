import type { AvroValue } from "./avro-datum.js";
import { decimalBytes } from "./iceberg-avro-types.js";
import { IcebergError } from "./iceberg-error.js";
import type { IcebergPartitionField } from "./iceberg-partition-spec.js";
import { decimalOf } from "./iceberg-schema.js";

/**
 * The DuckDB expression computing a partition field's value from its source column
 * `column` (quoted), in the form manifests store it: days since 1970 for `day` and for
 * dates, microseconds for timestamps, `year - 1970`, months and hours since 1970, the
 * floor-truncated number or the first W characters for `truncate[W]`; decimals and
 * uuids as text (converted by {@link toPartitionValue}). The session must be in UTC.
 * `bucket[N]` is refused: its Murmur3 hash is not computed here.
 */
export function partitionValueSql(
  field: IcebergPartitionField,
  column: string,
  sourceType: string,
): string {
  const { transform } = field;
  switch (transform) {
    case "void":
      return "NULL";
    case "year":
      return `CAST(year(${column}) - 1970 AS INTEGER)`;
    case "month":
      return `CAST((year(${column}) - 1970) * 12 + month(${column}) - 1 AS INTEGER)`;
    case "day":
      return `CAST(date_diff('day', DATE '1970-01-01', CAST(${column} AS DATE)) AS INTEGER)`;
    case "hour":
      return `CAST(floor(epoch_us(${column}) / 3600000000) AS INTEGER)`;
    case "identity":
      if (sourceType === "date") return `date_diff('day', DATE '1970-01-01', ${column})`;
      if (sourceType === "timestamp" || sourceType === "timestamptz") return `epoch_us(${column})`;
      if (sourceType === "uuid" || sourceType.startsWith("decimal")) {
        return `CAST(${column} AS VARCHAR)`;
      }
      if (sourceType === "time" || sourceType.startsWith("fixed")) break;
      return column;
    default: {
      const width = /^truncate\[(\d+)\]$/.exec(transform)?.[1];
      if (width === undefined) break;
      if (sourceType === "int" || sourceType === "long") {
        return `(${column} - (((${column} % ${width}) + ${width}) % ${width}))`;
      }
      if (sourceType === "string") return `substring(${column}, 1, ${width})`;
    }
  }
  throw new IcebergError(
    "ICEBERG_UNSUPPORTED_FEATURE",
    `cannot write a table partitioned by ${transform} of a ${sourceType} column ("${field.name}")`,
  );
}

/** Converts what {@link partitionValueSql} returned into the Avro value a manifest stores. */
export function toPartitionValue(value: unknown, resultType: string): AvroValue {
  if (value === null || value === undefined) return null;
  const decimal = decimalOf(resultType);
  if (decimal !== undefined) {
    return unscaledBytes(String(value), decimal.precision, decimal.scale);
  }
  switch (resultType) {
    case "int":
    case "date":
      return Number(value);
    case "long":
    case "timestamp":
    case "timestamptz":
      return BigInt(value as bigint);
    case "uuid":
      return Uint8Array.from(Buffer.from(String(value).replaceAll("-", ""), "hex"));
    case "binary":
      return value instanceof Uint8Array ? value : Uint8Array.from(value as ArrayLike<number>);
    default:
      return value as AvroValue;
  }
}

/**
 * A partition value as a string, the way the TableFormat port shows it and the way the
 * data directory names it: dates `2024-01-02`, `year` `2024`, `month` `2024-01`,
 * `hour` `2024-01-02-10`, timestamps ISO-8601, decimals as digits, bytes as hex.
 */
export function partitionValueText(
  value: AvroValue,
  transform: string,
  resultType: string,
): string | null {
  if (value === null) return null;
  const day = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);
  if (transform === "year") return String(1970 + Number(value));
  if (transform === "month") {
    const months = Number(value);
    const year = 1970 + Math.floor(months / 12);
    return `${year}-${String(months - (year - 1970) * 12 + 1).padStart(2, "0")}`;
  }
  if (transform === "hour") {
    return new Date(Number(value) * 3_600_000).toISOString().slice(0, 13).replace("T", "-");
  }
  const decimal = decimalOf(resultType);
  if (decimal !== undefined && value instanceof Uint8Array) {
    return decimalText(value, decimal.scale);
  }
  if (resultType === "date") return day(Number(value));
  if (resultType === "timestamp" || resultType === "timestamptz") {
    const micros = BigInt(value as bigint);
    const millis = Number(micros / 1000n);
    const rest = String(((micros % 1000n) + 1000n) % 1000n).padStart(3, "0");
    return `${new Date(millis).toISOString().slice(0, 23)}${rest}${resultType === "timestamptz" ? "Z" : ""}`;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return String(value);
}

// A decimal's unscaled value as big-endian two's complement in the fixed size the
// precision needs (the spec's binary form of decimals).
function unscaledBytes(text: string, precision: number, scale: number): Uint8Array {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null) {
    throw new IcebergError("ICEBERG_INVALID_ARGUMENT", `"${text}" is not a decimal`);
  }
  const fraction = (match[3] ?? "").padEnd(scale, "0").slice(0, scale);
  let unscaled = BigInt(`${match[2] || "0"}${fraction}` || "0");
  if (match[1] === "-") unscaled = -unscaled;
  const size = decimalBytes(precision);
  let bits = BigInt.asUintN(size * 8, unscaled);
  const bytes = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return bytes;
}

function decimalText(bytes: Uint8Array, scale: number): string {
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  unscaled = BigInt.asIntN(bytes.byteLength * 8, unscaled);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
