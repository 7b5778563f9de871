import { broadcastWakeups } from "../broadcast-wakeups.js";
import type { EndpointHandlers } from "../endpoint-handler.js";
import { longPoll } from "../long-poll.js";
import type { HandlerDeps } from "./handler-deps.js";
import { withLongPollSlot } from "./with-long-poll-slot.js";

/**
 * Handlers of a run's event trail: append (idempotent by `event_id`) and read in `seq`
 * order, long-polling with `wait_ms` until something after `after_seq` arrives.
 *
 * @example
 * ```ts
 * const handlers = { ...eventHandlers(deps) };
 * ```
 */
export function eventHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "appendEvents" | "listEvents"> {
  const { store, options } = deps;
  return {
    appendEvents: async ({ c, claims, params, body }) =>
      c.json(await store.appendEvents(claims, params.run_id, body.events), 200),
    listEvents: async ({ c, claims, params, query, signal }) => {
      const runId = params.run_id;
      const waitMs = query.wait_ms ?? 0;
      const page = await withLongPollSlot(deps, waitMs, () =>
        longPoll({
          attempt: () => store.listEvents(claims, runId, query.after_seq, query.limit),
          isEmpty: (result) => result.items.length === 0,
          none: { items: [], next_seq: query.after_seq },
          wakeups: broadcastWakeups(
            store,
            (wake) => wake.kind === "events" && wake.runId === runId,
          ),
          waitMs,
          pollIntervalMs: options.longPollIntervalMs,
          signal,
          clock: options.clock,
        }),
      );
      return c.json(page, 200);
    },
  };
}
