import type { Event, Run } from "@controlroom/contract";

/**
 * Why an audit run (rollback or rebuild) did not succeed, in one line: the failed
 * phase's last error, else the last error event, else the run's status; null when it
 * succeeded.
 */
export function auditRunFailure(run: Run, events: readonly Event[]): string | null {
  if (run.status === "succeeded") return null;
  const failed = run.phases.find((p) => p.status === "failed");
  return (
    failed?.last_error?.message ??
    events.findLast((e) => e.level === "error")?.message ??
    `the run is ${run.status}`
  );
}
