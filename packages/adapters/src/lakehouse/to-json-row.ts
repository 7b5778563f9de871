/**
 * Converts a JavaScript row to JSON that DuckDB's `read_json` parses into the table's
 * types without loss: bigint → digits string, Date → ISO string, bytes → base64,
 * `Map` → object; nested objects and arrays recursively.
 *
 * @example
 * ```ts
 * JSON.stringify(toJsonRow({ id: 1n, at: new Date(0) })); // '{"id":"1","at":"1970-01-01T00:00:00.000Z"}'
 * ```
 */
export function toJsonRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = toJsonValue(value);
  return out;
}

function toJsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toJsonValue(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object") return toJsonRow(value as Record<string, unknown>);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
