/**
 * A result row as JSON for events and artifacts: bigints as strings (or numbers when
 * safe), Dates as ISO-8601, bytes as base64, nested values alike.
 */
export function toJsonRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, toJsonValue(value)]));
}

function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    return toJsonRow(value as Record<string, unknown>);
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
