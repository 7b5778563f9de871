/** How far a stream's newest change is behind the clock. */
export interface SourceFreshness {
  stream: string;
  /** The newest value of the stream's first cursor field (ISO-8601), or null when empty. */
  newest: string | null;
  /** The clock minus `newest`, in milliseconds; null when the stream is empty. */
  lagMs: number | null;
  /** The clock reading the lag was measured against (ISO-8601). */
  measuredAt: string;
}

/** An event reporting freshness, ready for a run's trail once `event_id` and `ts` are added. */
export interface SourceFreshnessEvent {
  type: "SOURCE_FRESHNESS";
  level: "info" | "warn";
  message: string;
  payload: { stream: string; newest: string | null; lag_ms: number | null; measured_at: string };
}

/**
 * Turns a freshness reading into an event for the ingest phase's trail: `warn` when the
 * lag exceeds `warnAfterMs`, else `info`.
 *
 * @example
 * ```ts
 * const event = freshnessEvent(await source.freshness("account_move"), { warnAfterMs: 3_600_000 });
 * ```
 */
export function freshnessEvent(
  freshness: SourceFreshness,
  options: { warnAfterMs?: number | undefined } = {},
): SourceFreshnessEvent {
  const late =
    options.warnAfterMs !== undefined &&
    freshness.lagMs !== null &&
    freshness.lagMs > options.warnAfterMs;
  return {
    type: "SOURCE_FRESHNESS",
    level: late ? "warn" : "info",
    message:
      freshness.lagMs === null
        ? `${freshness.stream}: empty`
        : `${freshness.stream}: ${Math.round(freshness.lagMs / 1000)} s behind (newest ${freshness.newest})`,
    payload: {
      stream: freshness.stream,
      newest: freshness.newest,
      lag_ms: freshness.lagMs,
      measured_at: freshness.measuredAt,
    },
  };
}
