import type { EndpointHandlers } from "../endpoint-handler.js";
import { longPoll } from "../long-poll.js";
import type { HandlerDeps } from "./handler-deps.js";
import { withLongPollSlot } from "./with-long-poll-slot.js";

/**
 * Handlers of the lease endpoints: claim one run's next phase, claim across runs
 * (long-polling with `wait_ms`), heartbeat and complete. Every claim first gives the
 * lease reaper a (throttled) chance, so work held by a dead executor is claimable as
 * soon as its lease has run out, not a reaper interval later.
 *
 * @example
 * ```ts
 * const handlers = { ...runHandlers(deps), ...leaseHandlers(deps) };
 * ```
 */
export function leaseHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "claimRun" | "claim" | "heartbeat" | "completePhase"> {
  const { store, reaper, options } = deps;
  return {
    claimRun: async ({ c, claims, params, body }) => {
      await reaper.maybeRun();
      const lease = await store.claimRun(claims, params.run_id, body);
      return lease ? c.json(lease, 200) : c.body(null, 204);
    },
    claim: async ({ c, claims, body, signal }) => {
      const { wait_ms: waitMs = 0, ...request } = body;
      const lease = await withLongPollSlot(deps, waitMs, () =>
        longPoll({
          attempt: async () => {
            await reaper.maybeRun();
            return store.claim(claims, request);
          },
          isEmpty: (result) => result === undefined,
          store,
          matches: (wake) => wake.kind === "runnable",
          waitMs,
          pollIntervalMs: options.longPollIntervalMs,
          signal,
          clock: options.clock,
        }),
      );
      return lease ? c.json(lease, 200) : c.body(null, 204);
    },
    heartbeat: async ({ c, claims, params, body }) =>
      c.json(await store.heartbeat(claims, params.run_id, body), 200),
    completePhase: async ({ c, claims, params, body }) =>
      c.json(await store.complete(claims, params.run_id, body), 200),
  };
}
