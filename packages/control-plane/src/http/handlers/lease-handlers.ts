import type { Lease } from "@controlroom/contract";
import type { AuthClaims } from "../../ops-store.js";
import type { EndpointHandlers } from "../endpoint-handler.js";
import { longPoll } from "../long-poll.js";
import type { HandlerDeps } from "./handler-deps.js";
import { withLongPollSlot } from "./with-long-poll-slot.js";

/**
 * Handlers of the lease endpoints: claim one run's next phase, claim across runs
 * (long-polling with `wait_ms`), heartbeat and complete (several at once, optionally
 * claiming the caller's next phases in the same transaction). A claim that finds nothing
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
): Pick<
  EndpointHandlers,
  "claimRun" | "claim" | "claimBatch" | "heartbeat" | "completePhase" | "completeBatch"
> {
  const { store, reaper, options, claimWakeups } = deps;

  const claimOrReap = async <T>(
    claim: () => Promise<T>,
    isEmpty: (result: T) => boolean,
    signal: AbortSignal,
  ): Promise<T> => {
    const result = await claim();
    if (!isEmpty(result)) return result;
    const expiredBefore = reaper.expiredCount;
    await reaper.maybeRun();
    if (reaper.expiredCount === expiredBefore || signal.aborted) return result;
    return claim();
  };
  const noLease = (lease: Lease | undefined) => lease === undefined;
  const noLeases = (leases: Lease[]) => leases.length === 0;

  // A long-polled claim across runs, of one lease or several.
  const longPollClaim = <T>(
    claims: AuthClaims,
    request: { capabilities: string[]; environments: string[] },
    waitMs: number,
    claim: () => Promise<T>,
    isEmpty: (result: T) => boolean,
    none: T,
    signal: AbortSignal,
  ): Promise<T> => {
    // Claimers that would take the same work share one wake-up relay.
    const group = JSON.stringify([
      claims.tenant_id,
      [...request.capabilities].sort(),
      [...request.environments].sort(),
    ]);
    return withLongPollSlot(deps, waitMs, () =>
      longPoll<T>({
        attempt: () => claimOrReap(claim, isEmpty, signal),
        isEmpty,
        none,
        wakeups: () => claimWakeups.subscribe(group),
        waitMs,
        pollIntervalMs: options.longPollIntervalMs,
        signal,
        clock: options.clock,
      }),
    );
  };

  return {
    claimRun: async ({ c, claims, params, body, signal }) => {
      const lease = signal.aborted
        ? undefined
        : await claimOrReap(() => store.claimRun(claims, params.run_id, body), noLease, signal);
      return lease ? c.json(lease, 200) : c.body(null, 204);
    },
    claim: async ({ c, claims, body, signal }) => {
      const { wait_ms: waitMs = 0, ...request } = body;
      const lease = await longPollClaim(
        claims,
        request,
        waitMs,
        () => store.claim(claims, request),
        noLease,
        undefined,
        signal,
      );
      return lease ? c.json(lease, 200) : c.body(null, 204);
    },
    claimBatch: async ({ c, claims, body, signal }) => {
      const { wait_ms: waitMs = 0, ...request } = body;
      const leases = await longPollClaim(
        claims,
        request,
        waitMs,
        () => store.claimBatch(claims, request),
        noLeases,
        [],
        signal,
      );
      return leases.length > 0 ? c.json({ leases }, 200) : c.body(null, 204);
    },
    heartbeat: async ({ c, claims, params, body }) =>
      c.json(await store.heartbeat(claims, params.run_id, body), 200),
    completePhase: async ({ c, claims, params, body }) =>
      c.json(await store.complete(claims, params.run_id, body), 200),
    completeBatch: async ({ c, claims, body }) => {
      const { completions, claim } = body;
      // With a claim, one transaction completes and then claims; it never long-polls.
      if (claim === undefined) {
        return c.json({ results: await store.completeBatch(claims, completions) }, 200);
      }
      return c.json(await store.completeAndClaim(claims, completions, claim), 200);
    },
  };
}
