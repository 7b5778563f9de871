/**
 * A duration for people: `850 ms`, `12.4 s`, `3 min 5 s`, `2 h 4 min`.
 *
 * @example
 * ```ts
 * formatDuration(185_000); // "3 min 5 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1_440)} d ${Math.floor((minutes % 1_440) / 60)} h`;
}

/**
 * The time between two RFC 3339 instants, up to `now` while `end` is missing; `undefined`
 * when it has not started.
 *
 * @example
 * ```ts
 * elapsedMs("2026-01-01T00:00:00Z", null, Date.parse("2026-01-01T00:00:05Z")); // 5000
 * ```
 */
export function elapsedMs(
  start: string | null | undefined,
  end: string | null | undefined,
  now: number,
): number | undefined {
  if (!start) return undefined;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? undefined : Math.max(0, to - from);
}

/**
 * An instant in the viewer's time zone, to the second: `2026-01-31 12:00:05`.
 *
 * @example
 * ```ts
 * formatTime("2026-01-31T12:00:05.123Z");
 * ```
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * How long ago an instant was: `just now`, `5 min ago`, `3 h ago`, `2 d ago`.
 *
 * @example
 * ```ts
 * formatAgo(new Date(Date.now() - 90_000).toISOString(), Date.now()); // "1 min ago"
 * ```
 */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return "–";
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (ms < 45_000) return "just now";
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/**
 * A byte count for people: `812 B`, `11.0 KiB`, `3.4 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(11_036); // "10.8 KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The first 10 characters of a commit or content hash, as git shows them. */
export function shortHash(hash: string): string {
  return hash.slice(0, 10);
}
