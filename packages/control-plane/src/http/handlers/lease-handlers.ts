import type { Lease } from "@controlroom/contract";
import type { EndpointHandlers } from "../endpoint-handler.js";
import { longPoll } from "../long-poll.js";
import type { HandlerDeps } from "./handler-deps.js";
import { withLongPollSlot } from "./with-long-poll-slot.js";

/**
 * Handlers of the lease endpoints: claim one run's next phase, claim across runs
 * (long-polling with `wait_ms`), heartbeat and complete. A claim that finds nothing
 * gives the lease reaper a (throttled) pass and claims again if it expired anything, so
 * work held by a dead executor is claimable as soon as its lease has run out, not a
 * reaper interval later; a claim that finds work does not wait for the reaper.
 *
 * @example
 * ```ts
 * const handlers = { ...runHandlers(deps), ...leaseHandlers(deps) };
 * ```
 */
export function leaseHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "claimRun" | "claim" | "heartbeat" | "completePhase"> {
  const { store, reaper, options, claimWakeups } = deps;

  const claimOrReap = async (
    claim: () => Promise<Lease | undefined>,
    signal: AbortSignal,
  ): Promise<Lease | undefined> => {
    const lease = await claim();
    if (lease !== undefined) return lease;
    const expiredBefore = reaper.expiredCount;
    await reaper.maybeRun();
    if (reaper.expiredCount === expiredBefore || signal.aborted) return undefined;
    return claim();
  };

  return {
    claimRun: async ({ c, claims, params, body, signal }) => {
      const lease = signal.aborted
        ? undefined
        : await claimOrReap(() => store.claimRun(claims, params.run_id, body), signal);
      return lease ? c.json(lease, 200) : c.body(null, 204);
    },
    claim: async ({ c, claims, body, signal }) => {
      const { wait_ms: waitMs = 0, ...request } = body;
      // Claimers that would take the same work share one wake-up relay.
      const group = JSON.stringify([
        claims.tenant_id,
        [...request.capabilities].sort(),
        [...request.environments].sort(),
      ]);
      const lease = await withLongPollSlot(deps, waitMs, () =>
        longPoll<Lease | undefined>({
          attempt: () => claimOrReap(() => store.claim(claims, request), signal),
          isEmpty: (result) => result === undefined,
          none: undefined,
          wakeups: () => claimWakeups.subscribe(group),
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
