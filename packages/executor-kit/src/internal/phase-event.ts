import type { EventLevel, JsonObject } from "@controlroom/contract";

/** An event a phase's context emits; the sink adds ids, timestamps and the phase. */
export interface PhaseEvent {
  type: string;
  level: EventLevel;
  message: string;
  payload: JsonObject;
}

/** Where phase events go: the worker's event buffer, or a test's array. */
export type PhaseEventSink = (event: PhaseEvent) => void;

const LEVEL_RANK: Record<EventLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** True when `level` is at or above `threshold`. */
export function levelAtLeast(level: EventLevel, threshold: EventLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[threshold];
}
