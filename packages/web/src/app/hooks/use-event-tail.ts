import type { Event } from "@controlroom/contract";
import type { ControlRoomClient } from "@controlroom/sdk";
import { isControlRoomError } from "@controlroom/sdk";
import { useEffect, useState } from "preact/hooks";

const PAGE = 1_000;
const WAIT_MS = 10_000;
const RETRY_MS = 3_000;
const TERMINAL = new Set(["RUN_SUCCEEDED", "RUN_FAILED", "RUN_CANCELLED"]);

/** What {@link useEventTail} returns. */
export interface EventTail {
  events: Event[];
  /** The last failure while reading; the tail retries on its own unless the token was refused. */
  error: unknown;
  /** Every event up to now has been read once. */
  caughtUp: boolean;
  /** The run has ended and its trail is complete: nothing more will be read. */
  ended: boolean;
}

/**
 * A run's events in `seq` order, read in pages of 1000 and then followed by long-poll
 * (`wait_ms`), so new events show up as the server stores them. Stops once the run's
 * terminal event is read and nothing follows it. A failed read is shown and retried
 * every few seconds, except a refused token, which only signing in again fixes.
 *
 * @example
 * ```ts
 * const { events, caughtUp } = useEventTail(client, runId);
 * ```
 */
export function useEventTail(client: ControlRoomClient, runId: string): EventTail {
  const [state, setState] = useState<EventTail>({
    events: [],
    error: undefined,
    caughtUp: false,
    ended: false,
  });
  useEffect(() => {
    setState({ events: [], error: undefined, caughtUp: false, ended: false });
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let afterSeq = 0;
      let caughtUp = false;
      let ended = false;
      while (!signal.aborted) {
        try {
          const page = await client.events.list(
            runId,
            {
              after_seq: afterSeq,
              limit: PAGE,
              ...(caughtUp && !ended ? { wait_ms: WAIT_MS } : {}),
            },
            { signal },
          );
          if (signal.aborted) return;
          if (page.items.some((event) => TERMINAL.has(event.type))) ended = true;
          afterSeq = page.next_seq;
          const full = page.items.length === PAGE;
          caughtUp = caughtUp || !full;
          const done = ended && !full;
          const items = page.items;
          setState((old) => ({
            events: items.length > 0 ? old.events.concat(items) : old.events,
            error: undefined,
            caughtUp,
            ended: done,
          }));
          if (done) return;
        } catch (error) {
          if (signal.aborted) return;
          setState((old) => ({ ...old, error }));
          if (
            isControlRoomError(error) &&
            (error.code === "unauthorized" || error.code === "not_found")
          )
            return;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    })();
    return () => controller.abort();
  }, [client, runId]);
  return state;
}
