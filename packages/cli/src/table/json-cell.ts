/**
 * A value read from DuckDB as JSON: integers and decimals as numbers when exactly
 * representable, else strings; `Date` as RFC 3339; bytes as base64; `Map`s and
 * nested objects and arrays recursively. Top-level timestamps and dates arrive
 * already formatted by the query (microseconds kept), so Dates here are nested ones.
 *
 * @example
 * ```ts
 * jsonCell(2n ** 60n); // "1152921504606846976"
 * jsonCell(42n); // 42
 * ```
 */
export function jsonCell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonCell);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) out[String(key)] = jsonCell(item);
    return out;
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = jsonCell(item);
    return out;
  }
  return value;
}
