import type { WakeSignal } from "../ops-store.js";

/** NOTIFY channels the SQL functions signal on; payloads are delivered at commit. */
export const WAKE_CHANNELS = {
  /** New runnable work (payload empty). */
  runnable: "controlroom_ops_runnable",
  /** New events on a run (payload: the run id). */
  events: "controlroom_ops_events",
} as const;

/** Turns a notification into a {@link WakeSignal}; undefined for other channels. */
export function wakeSignalOf(channel: string, payload: string): WakeSignal | undefined {
  if (channel === WAKE_CHANNELS.runnable) return { kind: "runnable" };
  if (channel === WAKE_CHANNELS.events && payload !== "") return { kind: "events", runId: payload };
  return undefined;
}
