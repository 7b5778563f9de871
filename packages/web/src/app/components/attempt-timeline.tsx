import type { Phase } from "@controlroom/contract";
import type { PhaseAttempt } from "../model/attempts.js";
import { formatDuration, formatTime } from "../model/format.js";

/**
 * Every attempt of every phase on one time axis, one row per phase: a light segment
 * from claimed to started, a solid one from started to how it ended (coloured by
 * outcome), so a slow phase is a long bar and a retried one has several. Each bar's
 * tooltip and accessible name give the times and the reason it ended.
 */
export function AttemptTimeline(props: {
  phases: readonly Phase[];
  attempts: readonly PhaseAttempt[];
  start: string;
  now: number;
}) {
  const t0 = Date.parse(props.start);
  const ends = props.attempts.map((a) => (a.endedAt ? Date.parse(a.endedAt) : props.now));
  const t1 = Math.max(t0 + 1_000, ...ends);
  const span = t1 - t0;
  const pct = (t: number) => `${(((t - t0) / span) * 100).toFixed(3)}%`;
  const widthPct = (from: number, to: number) =>
    `${Math.max(0.4, ((to - from) / span) * 100).toFixed(3)}%`;
  if (props.attempts.length === 0) {
    return <p class="muted">No phase has been claimed yet.</p>;
  }
  return (
    <div class="timeline">
      <div class="timeline-axis" aria-hidden="true">
        <span>{formatTime(props.start)}</span>
        <span>+{formatDuration(span)}</span>
      </div>
      {props.phases.map((phase) => {
        const mine = props.attempts.filter((a) => a.phase === phase.name);
        return (
          <div class="timeline-row" key={phase.name}>
            <span class="timeline-label">{phase.name}</span>
            <span class="timeline-track">
              {mine.map((attempt) => {
                const claimed = Date.parse(attempt.claimedAt);
                const started = attempt.startedAt ? Date.parse(attempt.startedAt) : undefined;
                const ended = attempt.endedAt ? Date.parse(attempt.endedAt) : props.now;
                const label = `${phase.name} attempt ${attempt.attempt}: claimed ${formatTime(attempt.claimedAt)}${
                  attempt.startedAt ? `, started ${formatTime(attempt.startedAt)}` : ""
                }, ${attempt.outcome}${attempt.endedAt ? ` ${formatTime(attempt.endedAt)}` : ""} after ${formatDuration(ended - claimed)}${
                  attempt.retried ? ", retried" : ""
                }${attempt.message ? ` — ${attempt.message}` : ""}${attempt.executor ? ` (on ${attempt.executor})` : ""}`;
                return (
                  <span key={attempt.attempt} title={label} aria-label={label} role="img">
                    <span
                      class="bar bar-waiting"
                      style={{ left: pct(claimed), width: widthPct(claimed, started ?? ended) }}
                    />
                    {started !== undefined ? (
                      <span
                        class={`bar bar-${attempt.outcome}`}
                        style={{ left: pct(started), width: widthPct(started, ended) }}
                      >
                        {attempt.attempt > 1 || attempt.retried ? `#${attempt.attempt}` : ""}
                      </span>
                    ) : null}
                    {attempt.retried ? (
                      <span class="retry-mark" style={{ left: pct(ended) }}>
                        ↻
                      </span>
                    ) : null}
                  </span>
                );
              })}
            </span>
            <span class="timeline-summary">
              {mine.length === 0
                ? "–"
                : `${mine.length} attempt${mine.length === 1 ? "" : "s"}, ${formatDuration(
                    mine.reduce(
                      (sum, a) =>
                        sum +
                        ((a.endedAt ? Date.parse(a.endedAt) : props.now) - Date.parse(a.claimedAt)),
                      0,
                    ),
                  )}`}
            </span>
          </div>
        );
      })}
      <div class="timeline-legend" aria-hidden="true">
        <span class="legend bar-waiting">claimed</span>
        <span class="legend bar-running">running</span>
        <span class="legend bar-succeeded">succeeded</span>
        <span class="legend bar-failed">failed</span>
        <span class="legend bar-expired">lease expired</span>
        <span class="legend bar-cancelled">cancelled</span>
        <span>↻ retried</span>
      </div>
    </div>
  );
}
