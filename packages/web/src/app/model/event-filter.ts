import type { Event, EventLevel } from "@controlroom/contract";

/** Levels from least to most severe. */
export const LEVELS: readonly EventLevel[] = ["debug", "info", "warn", "error"];

/** What the event stream shows. */
export interface EventFilter {
  /** One phase, `"run"` for run-level events only, or `""` for all. */
  phase: string;
  /** Events at this level or above. */
  minLevel: EventLevel;
  /** Case-insensitive text in the type or message; `""` for all. */
  text: string;
}

/**
 * The events that pass `filter`, in their order.
 *
 * @example
 * ```ts
 * filterEvents(events, { phase: "ingest", minLevel: "warn", text: "" });
 * ```
 */
export function filterEvents(events: readonly Event[], filter: EventFilter): Event[] {
  const min = LEVELS.indexOf(filter.minLevel);
  const text = filter.text.trim().toLowerCase();
  return events.filter((event) => {
    if (
      filter.phase === "run" ? event.phase !== null : filter.phase && event.phase !== filter.phase
    )
      return false;
    if (LEVELS.indexOf(event.level) < min) return false;
    if (text && !`${event.type} ${event.message}`.toLowerCase().includes(text)) return false;
    return true;
  });
}
