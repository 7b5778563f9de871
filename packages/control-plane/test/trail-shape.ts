import type { Event, Run } from "@controlroom/contract";

/**
 * A run's events with what may differ between two equivalent runs (times, ids) left
 * out: seq, type, phase, level, message and payload, with the payload's `expires_at`
 * and `wait_ms` reduced to their type. Two runs driven through the same steps by
 * different endpoints must give equal shapes.
 */
export function trailShape(events: Event[]) {
  return events.map((event) => ({
    seq: event.seq,
    type: event.type,
    phase: event.phase,
    level: event.level,
    message: event.message,
    payload: Object.fromEntries(
      Object.entries(event.payload).map(([key, value]) => [
        key,
        key === "expires_at" || key === "wait_ms" ? typeof value : value,
      ]),
    ),
  }));
}

/** A run's status, output manifest and phases' state, without times and ids. */
export function runShape(run: Run) {
  return {
    status: run.status,
    output_manifest: run.output_manifest,
    phases: run.phases.map((phase) => ({
      name: phase.name,
      status: phase.status,
      attempt: phase.attempt,
      claimed_by: phase.claimed_by,
      lease_expires_at: phase.lease_expires_at === null ? null : "set",
      output: phase.output,
    })),
  };
}
