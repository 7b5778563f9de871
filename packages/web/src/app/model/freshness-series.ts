import type { Event } from "@controlroom/contract";

/** One freshness report of one stream. */
export interface FreshnessPoint {
  /** When it was measured, in milliseconds since the epoch. */
  t: number;
  /** How far the ingested data was behind its source, in seconds. */
  lagSeconds: number;
}

/**
 * Ingest freshness over time, per stream, from `SOURCE_FRESHNESS` events (payload
 * `{ stream, lag_ms, measured_at }`, what ingest phases report): each stream's points
 * in time order. Reports without a lag (an empty stream) are left out.
 *
 * @example
 * ```ts
 * freshnessSeries(events).get("account_move")?.at(-1)?.lagSeconds;
 * ```
 */
export function freshnessSeries(events: readonly Event[]): Map<string, FreshnessPoint[]> {
  const series = new Map<string, FreshnessPoint[]>();
  for (const event of events) {
    if (event.type !== "SOURCE_FRESHNESS") continue;
    const { stream, lag_ms, measured_at } = event.payload;
    if (typeof stream !== "string" || typeof lag_ms !== "number") continue;
    const t = Date.parse(typeof measured_at === "string" ? measured_at : event.ts);
    if (Number.isNaN(t)) continue;
    const points = series.get(stream) ?? [];
    points.push({ t, lagSeconds: lag_ms / 1_000 });
    series.set(stream, points);
  }
  for (const points of series.values()) points.sort((a, b) => a.t - b.t);
  return series;
}
