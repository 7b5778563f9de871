/** Microseconds in a millisecond, a second, a day: the generator's clock counts microseconds. */
export const MICROS = { ms: 1_000, second: 1_000_000, day: 86_400_000_000 } as const;

// Many rows share a write_date (all lines of a move do), so formatting is cached; the
// cache is cleared when it grows, which keeps memory bounded on long runs.
const cache = new Map<number, string>();

/**
 * Formats microseconds since the epoch as a Postgres `timestamp without time zone` in
 * UTC, the way Odoo stores `create_date`/`write_date`.
 *
 * @example
 * ```ts
 * formatTimestamp(1_704_110_400_000_500); // "2024-01-01 12:00:00.000500"
 * ```
 */
export function formatTimestamp(micros: number): string {
  const hit = cache.get(micros);
  if (hit !== undefined) return hit;
  const ms = Math.floor(micros / MICROS.ms);
  const fraction = String(micros - ms * MICROS.ms).padStart(3, "0");
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${fraction}`;
  if (cache.size > 10_000) cache.clear();
  cache.set(micros, text);
  return text;
}

/**
 * The UTC calendar date of `micros`, as a Postgres `date`.
 *
 * @example
 * ```ts
 * formatDate(1_704_110_400_000_000); // "2024-01-01"
 * ```
 */
export function formatDate(micros: number): string {
  return new Date(Math.floor(micros / MICROS.ms)).toISOString().slice(0, 10);
}

/**
 * Integer cents as an exact decimal string with two places.
 *
 * @example
 * ```ts
 * formatCents(-12345); // "-123.45"
 * ```
 */
export function formatCents(cents: number): string {
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const rest = String(abs - units * 100).padStart(2, "0");
  return `${cents < 0 ? "-" : ""}${units}.${rest}`;
}

/**
 * Integer millionths as an exact decimal string with six places (currency rates).
 *
 * @example
 * ```ts
 * formatMillionths(1_085_300); // "1.085300"
 * ```
 */
export function formatMillionths(value: number): string {
  const units = Math.floor(value / 1_000_000);
  return `${units}.${String(value - units * 1_000_000).padStart(6, "0")}`;
}
