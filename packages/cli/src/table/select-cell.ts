/**
 * The SELECT expression that reads one column of a Delta table for display or JSON.
 * Timestamps and dates are formatted by DuckDB, which keeps their microseconds (a JS
 * Date would cut them to milliseconds): instants in UTC with `Z`, wall-clock times
 * (timestamp_ntz) without an offset, since they have none.
 *
 * @example
 * ```ts
 * selectCell("created_at", "timestamp"); // strftime("created_at", '%Y-%m-%dT%H:%M:%S.%fZ') AS "created_at"
 * ```
 */
export function selectCell(name: string, type: string): string {
  const column = `"${name.replaceAll('"', '""')}"`;
  switch (type) {
    case "timestamp":
      return `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%fZ') AS ${column}`;
    case "timestamp_ntz":
      return `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%f') AS ${column}`;
    case "date":
      return `strftime(${column}, '%Y-%m-%d') AS ${column}`;
    default:
      return column;
  }
}
