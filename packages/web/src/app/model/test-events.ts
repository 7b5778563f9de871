import type { Event } from "@controlroom/contract";

let seq = 0;

/** An event as the API returns it, for the model tests: only what they vary is given. */
export function testEvent(fields: Partial<Event> & Pick<Event, "type">): Event {
  seq += 1;
  return {
    event_id: `00000000-0000-7000-8000-${String(seq).padStart(12, "0")}`,
    run_id: "01900000-0000-7000-8000-000000000001",
    seq,
    phase: null,
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    level: "info",
    message: fields.type,
    payload: {},
    ...fields,
  };
}
