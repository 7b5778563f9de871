import { TERMINAL_RUN_STATUSES } from "@controlroom/contract";
import { useMemo, useState } from "preact/hooks";
import { ArtifactList } from "../components/artifact-list.js";
import { AttemptTimeline } from "../components/attempt-timeline.js";
import { CancelRun } from "../components/cancel-run.js";
import { ErrorNotice } from "../components/error-notice.js";
import { EventStream } from "../components/event-stream.js";
import { JsonBlock } from "../components/json-block.js";
import { PhaseGraph } from "../components/phase-graph.js";
import { RunTablesList } from "../components/run-tables-list.js";
import { RunVerdict } from "../components/run-verdict.js";
import { SqlOutputs } from "../components/sql-outputs.js";
import { StatusBadge } from "../components/status-badge.js";
import { useEventTail } from "../hooks/use-event-tail.js";
import { useNow } from "../hooks/use-now.js";
import { usePolled } from "../hooks/use-polled.js";
import { phaseAttempts } from "../model/attempts.js";
import { elapsedMs, formatDuration, formatTime } from "../model/format.js";
import { runArtifacts } from "../model/run-artifacts.js";
import { sqlOutputs } from "../model/sql-outputs.js";
import { Link } from "../router/navigation.js";
import { useSession } from "../session/session-context.js";

/**
 * One run: what it is (spec, commit, environment, labels, times), whether it worked
 * and why not, the phase graph, the attempts on a timeline, the live event stream,
 * what it produced (SQL outputs with previews, artifacts, tables, the output manifest),
 * and cancel for operators. Polls the run while it is live and tails its events.
 */
export function RunPage(props: { runId: string }) {
  const { client } = useSession();
  const [phase, setPhase] = useState("");
  const polled = usePolled(
    (signal) => client.runs.get(props.runId, { signal }),
    (latest) => (TERMINAL_RUN_STATUSES.includes(latest.status) ? 0 : 2_000),
    props.runId,
  );
  const run = polled.data;
  const isTerminal = run !== undefined && TERMINAL_RUN_STATUSES.includes(run.status);
  const tail = useEventTail(client, props.runId);
  const now = useNow(1_000, !isTerminal);
  const attempts = useMemo(() => phaseAttempts(tail.events), [tail.events]);
  const artifacts = useMemo(() => runArtifacts(tail.events), [tail.events]);
  const outputs = useMemo(() => sqlOutputs(artifacts), [artifacts]);

  if (run === undefined) {
    return polled.error ? (
      <section>
        <h1>Run {props.runId}</h1>
        <ErrorNotice error={polled.error} what="this run" />
        <Link href="/runs">Back to the runs</Link>
      </section>
    ) : (
      <p class="muted">Loading run {props.runId}…</p>
    );
  }
  const ran = elapsedMs(run.started_at ?? run.created_at, run.finished_at, now);
  return (
    <article class="run-page" aria-labelledby="run-title" data-run-status={run.status}>
      <header class="run-header">
        <div>
          <h1 id="run-title">
            {run.spec_slug} <span class="mono run-id">{run.run_id}</span>
          </h1>
          <dl class="facts">
            <div>
              <dt>status</dt>
              <dd>
                <StatusBadge status={run.status} />
              </dd>
            </div>
            <div>
              <dt>git sha</dt>
              <dd class="mono">{run.git_sha}</dd>
            </div>
            <div>
              <dt>environment</dt>
              <dd>{run.environment}</dd>
            </div>
            <div>
              <dt>created</dt>
              <dd>{formatTime(run.created_at)}</dd>
            </div>
            <div>
              <dt>finished</dt>
              <dd>{formatTime(run.finished_at)}</dd>
            </div>
            <div>
              <dt>duration</dt>
              <dd>{ran === undefined ? "–" : formatDuration(ran)}</dd>
            </div>
            {Object.entries(run.labels).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div class="run-actions">
          <CancelRun run={run} onCancelled={() => polled.refresh()} />
        </div>
      </header>
      {polled.error ? (
        <ErrorNotice error={polled.error} what="the latest state of this run" />
      ) : null}
      <RunVerdict run={run} attempts={attempts} />

      <section aria-labelledby="phases-title">
        <h2 id="phases-title">Phases</h2>
        <PhaseGraph phases={run.phases} now={now} selected={phase} onSelect={setPhase} />
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Attempts over time</h2>
        <AttemptTimeline
          phases={run.phases}
          attempts={attempts}
          start={run.started_at ?? run.created_at}
          now={now}
        />
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {tail.error ? <ErrorNotice error={tail.error} what="the events" /> : null}
        <EventStream
          events={tail.events}
          phases={run.phases.map((p) => p.name)}
          phase={phase}
          onPhase={setPhase}
          live={!tail.ended}
        />
      </section>

      {outputs.length > 0 ? (
        <section aria-labelledby="sql-title">
          <h2 id="sql-title">SQL outputs</h2>
          <SqlOutputs outputs={outputs} />
        </section>
      ) : null}

      <section aria-labelledby="tables-title">
        <h2 id="tables-title">Tables written</h2>
        <RunTablesList run={run} />
      </section>

      <section aria-labelledby="artifacts-title">
        <h2 id="artifacts-title">Artifacts</h2>
        <ArtifactList artifacts={artifacts} />
      </section>

      <section aria-labelledby="manifest-title">
        <h2 id="manifest-title">Output manifest</h2>
        {run.output_manifest === null ? (
          <p class="muted">The output manifest is written when the run ends.</p>
        ) : (
          <details>
            <summary>Show the output manifest as JSON</summary>
            <JsonBlock value={run.output_manifest} label="output manifest" />
          </details>
        )}
        <details>
          <summary>Show the input manifest as JSON</summary>
          <JsonBlock value={run.input_manifest} label="input manifest" />
        </details>
      </section>
    </article>
  );
}
