import type { Event } from "@controlroom/contract";

/** How an attempt ended, or `running` while it has not. */
export type AttemptOutcome = "running" | "succeeded" | "failed" | "expired" | "cancelled";

/** One attempt of one phase, rebuilt from the events the server wrote for it. */
export interface PhaseAttempt {
  phase: string;
  attempt: number;
  executor: string | null;
  claimedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  outcome: AttemptOutcome;
  /** A later attempt was scheduled after this one failed or expired. */
  retried: boolean;
  /** Why it failed, expired or was cancelled. */
  message: string | null;
}

function attemptOf(event: Event): number | undefined {
  const attempt = event.payload.attempt;
  return typeof attempt === "number" ? attempt : undefined;
}

function errorMessage(payload: Record<string, unknown>): string | null {
  const error = payload.error as { message?: unknown } | null | undefined;
  return typeof error?.message === "string" ? error.message : null;
}

/**
 * The attempts of every phase, in the order they were claimed, from a run's event trail:
 * claimed (`PHASE_CLAIMED`), started (`PHASE_STARTED`), and how each ended
 * (`PHASE_SUCCEEDED`, `PHASE_FAILED`, `LEASE_EXPIRED`, `PHASE_CANCELLED`), with
 * `PHASE_RETRY_SCHEDULED` marking the ones that were retried. The server writes all of
 * these itself, so the result is complete even when an executor died mid-attempt.
 *
 * @example
 * ```ts
 * const slow = phaseAttempts(events).filter((a) => a.retried || a.outcome === "expired");
 * ```
 */
export function phaseAttempts(events: readonly Event[]): PhaseAttempt[] {
  const attempts: PhaseAttempt[] = [];
  const byKey = new Map<string, PhaseAttempt>();
  for (const event of events) {
    if (event.phase === null) continue;
    const number = attemptOf(event);
    if (number === undefined) continue;
    const key = `${event.phase}\u0000${number}`;
    let attempt = byKey.get(key);
    if (event.type === "PHASE_CLAIMED" && attempt === undefined) {
      const executor = event.payload.executor_id;
      attempt = {
        phase: event.phase,
        attempt: number,
        executor: typeof executor === "string" ? executor : null,
        claimedAt: event.ts,
        startedAt: null,
        endedAt: null,
        outcome: "running",
        retried: false,
        message: null,
      };
      byKey.set(key, attempt);
      attempts.push(attempt);
      continue;
    }
    if (attempt === undefined) continue;
    switch (event.type) {
      case "PHASE_STARTED":
        attempt.startedAt ??= event.ts;
        break;
      case "PHASE_SUCCEEDED":
        attempt.outcome = "succeeded";
        attempt.endedAt ??= event.ts;
        break;
      case "LEASE_EXPIRED":
        attempt.outcome = "expired";
        attempt.endedAt ??= event.ts;
        attempt.message = event.message;
        break;
      case "PHASE_RETRY_SCHEDULED":
        if (attempt.outcome === "running") attempt.outcome = "failed";
        attempt.endedAt ??= event.ts;
        attempt.retried = true;
        attempt.message ??= errorMessage(event.payload) ?? event.message;
        break;
      case "PHASE_FAILED":
        if (attempt.outcome === "running") attempt.outcome = "failed";
        attempt.endedAt ??= event.ts;
        attempt.message ??= errorMessage(event.payload) ?? event.message;
        break;
      case "PHASE_CANCELLED":
        if (attempt.outcome === "running") attempt.outcome = "cancelled";
        attempt.endedAt ??= event.ts;
        attempt.message ??= event.message;
        break;
    }
  }
  return attempts;
}
