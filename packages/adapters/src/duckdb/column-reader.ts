import { type DuckDBType, DuckDBTypeId, type DuckDBVector } from "@duckdb/node-api";
import { duckDbValueConverter } from "./duckdb-value-converter.js";
import { rawVector } from "./raw-vector.js";

/** Fills `values[0 … vector.itemCount - 1]` with one column of a chunk, converted. */
export type ColumnReader = (vector: DuckDBVector, values: unknown[]) => void;

/**
 * The reader for a column of `type`: the values are exactly what
 * {@link duckDbValueConverter} makes of `vector.getItem(row)`, but the common scalar
 * types are read straight from the vector's memory, a whole column at a time. Other
 * types (nested, HUGEINT, BLOB, INTERVAL…) and values the fast paths do not cover
 * (DECIMALs of 16 or more digits, dates outside ±2^53 µs…) go through the converter.
 *
 * @example
 * ```ts
 * const values: unknown[] = [];
 * columnReader(result.columnTypes()[0])(chunk.getColumnVector(0), values);
 * ```
 */
export function columnReader(type: DuckDBType): ColumnReader {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
      return numbers(Int8Array);
    case DuckDBTypeId.SMALLINT:
      return numbers(Int16Array);
    case DuckDBTypeId.INTEGER:
      return numbers(Int32Array);
    case DuckDBTypeId.BIGINT:
      return numbers(BigInt64Array);
    case DuckDBTypeId.UTINYINT:
      return numbers(Uint8Array);
    case DuckDBTypeId.USMALLINT:
      return numbers(Uint16Array);
    case DuckDBTypeId.UINTEGER:
      return numbers(Uint32Array);
    case DuckDBTypeId.UBIGINT:
      return numbers(BigUint64Array);
    case DuckDBTypeId.FLOAT:
      return numbers(Float32Array);
    case DuckDBTypeId.DOUBLE:
      return numbers(Float64Array);
    case DuckDBTypeId.BOOLEAN:
      return readBooleans;
    case DuckDBTypeId.DATE:
      return readDates;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return readTimestamps;
    case DuckDBTypeId.DECIMAL:
      return readDecimals;
    case DuckDBTypeId.VARCHAR:
      return readStrings;
    default:
      return readConverted;
  }
}

/** Every value through the converter, as `getItem` gives it. */
const readConverted: ColumnReader = (vector, values) => {
  const type = vector.type;
  for (let row = 0; row < vector.itemCount; row++) {
    values[row] = duckDbValueConverter(vector.getItem(row), type, duckDbValueConverter);
  }
};

function convertItem(vector: DuckDBVector, row: number): unknown {
  return duckDbValueConverter(vector.getItem(row), vector.type, duckDbValueConverter);
}

function isValid(validity: Uint8Array | null, row: number): boolean {
  return validity === null || ((validity[row >>> 3] as number) & (1 << (row & 7))) !== 0;
}

type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

// Integers and floats are the array's elements: the converter's Number(value) of a
// number, or the bigint as it is.
function numbers(kind: abstract new (...args: never[]) => NumericArray): ColumnReader {
  return (vector, values) => {
    const raw = rawVector(vector);
    const items = raw?.items;
    if (raw === undefined || !(items instanceof kind) || items.length !== vector.itemCount) {
      return readConverted(vector, values);
    }
    const validity = raw.validity;
    for (let row = 0; row < items.length; row++) {
      values[row] = isValid(validity, row) ? items[row] : null;
    }
  };
}

const readBooleans: ColumnReader = (vector, values) => {
  const raw = rawVector(vector);
  const view = raw?.dataView;
  // One byte per value where C's bool is one byte; otherwise the converter.
  if (raw === undefined || !(view instanceof DataView) || view.byteLength !== vector.itemCount) {
    return readConverted(vector, values);
  }
  const validity = raw.validity;
  for (let row = 0; row < view.byteLength; row++) {
    values[row] = isValid(validity, row) ? view.getUint8(row) !== 0 : null;
  }
};

const MS_PER_DAY = 86_400_000;
// The converter's range for DATE (days from 1970); beyond it, it throws.
const MAX_DATE_DAYS = 100_000_000;

const readDates: ColumnReader = (vector, values) => {
  const raw = rawVector(vector);
  const days = raw?.items;
  if (raw === undefined || !(days instanceof Int32Array) || days.length !== vector.itemCount) {
    return readConverted(vector, values);
  }
  const validity = raw.validity;
  for (let row = 0; row < days.length; row++) {
    if (!isValid(validity, row)) {
      values[row] = null;
      continue;
    }
    const day = days[row] as number;
    values[row] =
      day >= -MAX_DATE_DAYS && day <= MAX_DATE_DAYS
        ? new Date(day * MS_PER_DAY)
        : convertItem(vector, row);
  }
};

const TWO_TO_32 = 2 ** 32;
// An int64 whose high 32-bit half is within ±2^21 is below 2^53 in magnitude: exact
// as a double.
const EXACT_HIGH_HALF = 2 ** 21;

// The int64 made of these 32-bit halves as an exact number, or NaN when a double
// cannot hold it.
function int64AsNumber(high: number, low: number): number {
  return high >= -EXACT_HIGH_HALF && high < EXACT_HIGH_HALF ? high * TWO_TO_32 + low : Number.NaN;
}

const readTimestamps: ColumnReader = (vector, values) => {
  const raw = rawVector(vector);
  const items = raw?.items;
  if (raw === undefined || !(items instanceof BigInt64Array) || items.length !== vector.itemCount) {
    return readConverted(vector, values);
  }
  // Microseconds read as two 32-bit halves: reading the BigInt64Array would allocate a
  // BigInt per row, and the converter divides BigInts.
  const words = new Int32Array(items.buffer, items.byteOffset, items.length * 2);
  const validity = raw.validity;
  for (let row = 0; row < items.length; row++) {
    if (!isValid(validity, row)) {
      values[row] = null;
      continue;
    }
    const micros = int64AsNumber(words[2 * row + 1] as number, (words[2 * row] as number) >>> 0);
    // Truncated toward zero, as the converter's BigInt division does (before 1970 too).
    values[row] = Number.isNaN(micros)
      ? convertItem(vector, row)
      : new Date((micros - (micros % 1000)) / 1000);
  }
};

// 10^0 … 10^18, each exact as a double (parsed, not computed).
const POWERS_OF_TEN = Array.from({ length: 19 }, (_, power) => Number(`1e${power}`));
// A scaled value below 10^15 has at most 15 significant digits. Doubles keep 15 (no
// two such decimals round to the same double), so the decimal is the shortest text of
// its nearest double and decimalToJs returns that double as a number. Dividing the
// exact scaled integer by the exact power of ten rounds once, to that same double.
const EXACT_DECIMAL_LIMIT = 1e15;

const readDecimals: ColumnReader = (vector, values) => {
  const type = vector.type;
  const raw = rawVector(vector);
  const view = raw?.dataView;
  if (type.typeId !== DuckDBTypeId.DECIMAL || raw === undefined || !(view instanceof DataView)) {
    return readConverted(vector, values);
  }
  // DuckDB stores DECIMAL(w, s) as int16 up to w = 4, int32 up to 9, int64 up to 18, and
  // int128 beyond, which is left to the converter.
  const size = type.width <= 4 ? 2 : type.width <= 9 ? 4 : type.width <= 18 ? 8 : 16;
  const divisor = POWERS_OF_TEN[type.scale];
  if (size > 8 || divisor === undefined || view.byteLength !== vector.itemCount * size) {
    return readConverted(vector, values);
  }
  const validity = raw.validity;
  for (let row = 0; row < vector.itemCount; row++) {
    if (!isValid(validity, row)) {
      values[row] = null;
      continue;
    }
    const scaled =
      size === 2
        ? view.getInt16(row * 2, true)
        : size === 4
          ? view.getInt32(row * 4, true)
          : int64AsNumber(view.getInt32(row * 8 + 4, true), view.getUint32(row * 8, true));
    values[row] =
      Math.abs(scaled) < EXACT_DECIMAL_LIMIT ? scaled / divisor : convertItem(vector, row);
  }
};

const textDecoder = new TextDecoder();
// DuckDB keeps a string of up to 12 bytes inside its 16-byte entry (length, then the
// bytes); a longer one sits behind a pointer that only the library can follow.
const ENTRY_SIZE = 16;
const INLINE_LENGTH = 12;

const readStrings: ColumnReader = (vector, values) => {
  const raw = rawVector(vector);
  const view = raw?.dataView;
  if (
    raw === undefined ||
    !(view instanceof DataView) ||
    view.byteLength !== vector.itemCount * ENTRY_SIZE
  ) {
    return readConverted(vector, values);
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const validity = raw.validity;
  for (let row = 0; row < vector.itemCount; row++) {
    if (!isValid(validity, row)) {
      values[row] = null;
      continue;
    }
    const entry = row * ENTRY_SIZE;
    const length = view.getUint32(entry, true);
    values[row] =
      length <= INLINE_LENGTH ? inlineString(bytes, entry + 4, length) : convertItem(vector, row);
  }
};

// ASCII is decoded here: a call into TextDecoder costs more than a few bytes. Anything
// else goes to a TextDecoder with the library's settings.
function inlineString(bytes: Uint8Array, start: number, length: number): string {
  let text = "";
  for (let index = start; index < start + length; index++) {
    const byte = bytes[index] as number;
    if (byte >= 0x80) return textDecoder.decode(bytes.subarray(start, start + length));
    text += String.fromCharCode(byte);
  }
  return text;
}
