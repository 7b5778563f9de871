import type { Run } from "@controlroom/contract";
import type { PhaseAttempt } from "../model/attempts.js";

/**
 * One paragraph that answers "did it work, and if not, why": which phases failed with
 * their error, which were skipped or cancelled because of it, and how many attempts
 * were retried or expired on the way, even when the run succeeded in the end.
 */
export function RunVerdict(props: { run: Run; attempts: readonly PhaseAttempt[] }) {
  const { run } = props;
  const failed = run.phases.filter((phase) => phase.status === "failed");
  const skipped = run.phases.filter((phase) => phase.status === "skipped");
  const cancelled = run.phases.filter((phase) => phase.status === "cancelled");
  const retried = props.attempts.filter((attempt) => attempt.retried);
  const expired = props.attempts.filter((attempt) => attempt.outcome === "expired");
  const done = run.phases.filter((phase) => phase.status === "succeeded").length;
  const tone =
    run.status === "failed"
      ? "error"
      : run.status === "cancelled"
        ? "warn"
        : run.status === "succeeded"
          ? "ok"
          : "info";
  return (
    <div class={`notice notice-${tone}`} role="status" data-testid="run-verdict">
      <p>
        <strong>
          {run.status === "succeeded"
            ? `Succeeded: all ${run.phases.length} phases ran.`
            : run.status === "failed"
              ? `Failed: ${done} of ${run.phases.length} phases succeeded.`
              : run.status === "cancelled"
                ? `Cancelled${run.cancel_requested ? "" : ""}: ${done} of ${run.phases.length} phases had succeeded.`
                : run.status === "queued"
                  ? "Queued: waiting for an executor to claim its first phase."
                  : `Running: ${done} of ${run.phases.length} phases done.`}
        </strong>
        {retried.length + expired.length > 0
          ? ` ${retried.length} attempt${retried.length === 1 ? " was" : "s were"} retried${
              expired.length > 0
                ? `, ${expired.length} lost ${expired.length === 1 ? "its" : "their"} lease`
                : ""
            }.`
          : ""}
      </p>
      {failed.map((phase) => (
        <p key={phase.name}>
          <strong>{phase.name}</strong> failed after {phase.attempt} attempt
          {phase.attempt === 1 ? "" : "s"}
          {phase.last_error ? (
            <>
              : <span class="error-text">{phase.last_error.message}</span>
              {phase.last_error.code ? <span class="muted"> ({phase.last_error.code})</span> : null}
            </>
          ) : null}
        </p>
      ))}
      {skipped.length > 0 ? (
        <p class="muted">
          Skipped because an upstream phase failed: {skipped.map((p) => p.name).join(", ")}.
        </p>
      ) : null}
      {cancelled.length > 0 ? (
        <p class="muted">Cancelled: {cancelled.map((p) => p.name).join(", ")}.</p>
      ) : null}
    </div>
  );
}
