import type { DuckDBVector } from "@duckdb/node-api";

/**
 * A vector's data as `@duckdb/node-api` (1.5) holds it, for reading a whole column
 * without its per-value `getItem`: that checks each row's validity bit with BigInt
 * arithmetic and wraps DATE, TIMESTAMP and DECIMAL values in objects, which costs
 * more than the conversion itself.
 */
export interface RawVector {
  /** One bit per row, row `i` at bit `i % 8` of byte `i / 8`; set = not NULL. `null`: no NULLs. */
  readonly validity: Uint8Array | null;
  /** The vector's typed array of values (fixed-width numeric and temporal vectors). */
  readonly items: unknown;
  /** A view of the vector's values (BOOLEAN, DECIMAL and VARCHAR vectors). */
  readonly dataView: unknown;
}

// The fields below are private in the library's types. They are read only when they
// have exactly the expected shape; anything else (another version of the library, a
// sliced vector) returns undefined and the caller falls back to `getItem`, which is
// slower but always right.
interface VectorFields {
  readonly items?: unknown;
  readonly dataView?: unknown;
  readonly validity?: { readonly data?: unknown; readonly offset?: unknown } | undefined;
}

// Validity words are little-endian 64-bit integers read here byte by byte.
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The raw data of `vector`, or `undefined` when its private layout is not the one
 * this code knows.
 *
 * @example
 * ```ts
 * const raw = rawVector(chunk.getColumnVector(0));
 * if (raw?.items instanceof Int32Array) console.log(raw.items[0]);
 * ```
 */
export function rawVector(vector: DuckDBVector): RawVector | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const fields = vector as unknown as VectorFields;
  const validity = fields.validity;
  if (typeof validity !== "object" || validity === null || validity.offset !== 0) return undefined;
  const data = validity.data;
  let bits: Uint8Array | null = null;
  if (data instanceof BigUint64Array) {
    if (data.length * 64 < vector.itemCount) return undefined;
    bits = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else if (data !== null) {
    return undefined;
  }
  return { validity: bits, items: fields.items, dataView: fields.dataView };
}
