/**
 * How long something took from `start` to `end` (RFC 3339), short enough for a table
 * column: `850ms`, `12.3s`, `4m 05s`, `2h 03m`. Empty before it started; while it is
 * still going (`end` null), the time so far with `…` after it.
 *
 * @example
 * ```ts
 * formatElapsed("2026-01-31T12:00:00Z", "2026-01-31T12:04:05Z"); // "4m 05s"
 * ```
 */
export function formatElapsed(
  start: string | null,
  end: string | null,
  now: number = Date.now(),
): string {
  if (start === null) return "";
  const from = Date.parse(start);
  const to = end === null ? now : Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to)) return "";
  const text = formatMilliseconds(Math.max(to - from, 0));
  return end === null ? `${text}…` : text;
}

function formatMilliseconds(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 3_600) {
    return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}
