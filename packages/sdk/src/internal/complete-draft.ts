import type { EventInput } from "@controlroom/contract";
import type { EventDraft } from "../event-buffer.js";
import { uuidv7 } from "../uuidv7.js";

/** Fills in `event_id` (UUID v7, time-ordered) and `ts` once, before the first attempt. */
export function completeDraft(draft: EventDraft): EventInput {
  return {
    ...draft,
    event_id: draft.event_id ?? uuidv7(),
    ts: draft.ts ?? new Date().toISOString(),
  };
}
