import type { Event } from "@controlroom/contract";
import { BarList } from "../components/bar-list.js";
import { ErrorNotice } from "../components/error-notice.js";
import { LineChart } from "../components/line-chart.js";
import { useMetricsHistory } from "../hooks/use-metrics-history.js";
import { usePolled } from "../hooks/use-polled.js";
import { formatDuration } from "../model/format.js";
import { freshnessSeries } from "../model/freshness-series.js";
import { phaseSuccess } from "../model/phase-success.js";
import { useSession } from "../session/session-context.js";

const RUNS_FOR_RATES = 200;
const INGEST_RUNS = 20;

/**
 * The control plane's health: queue depth and runnable vs running phases now and over
 * the time this page has been open, lease expiries, success rate by phase over recent
 * runs, and ingest freshness per source stream over recent ingest runs.
 */
export function HealthPage() {
  const { client, token } = useSession();
  const metrics = useMetricsHistory(token, 5_000);
  const latest = metrics.samples.at(-1);
  const rates = usePolled(
    async (signal) => {
      const runs = [];
      for await (const run of client.runs.iterate({ limit: 100 }, { signal })) {
        runs.push(run);
        if (runs.length >= RUNS_FOR_RATES) break;
      }
      return { runs: runs.length, phases: phaseSuccess(runs) };
    },
    30_000,
    "rates",
  );
  const freshness = usePolled(
    async (signal) => {
      const page = await client.runs.list({ limit: 100 }, { signal });
      const ingestRuns = page.items
        .filter((run) =>
          run.phases.some((phase) => phase.kind === "ingest" && phase.status !== "pending"),
        )
        .slice(0, INGEST_RUNS);
      const events: Event[] = [];
      for (const run of ingestRuns) {
        const list = await client.events.list(run.run_id, { limit: 1_000 }, { signal });
        events.push(...list.items);
      }
      return freshnessSeries(events);
    },
    30_000,
    "freshness",
  );
  const sampled = (pick: (s: (typeof metrics.samples)[number]) => number) =>
    metrics.samples.map((s) => ({ t: s.t, v: pick(s) }));
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">Health</h1>
      {metrics.error ? <ErrorNotice error={metrics.error} what="the metrics" /> : null}
      <div class="cards" aria-live="polite">
        <Card
          label="queue depth"
          value={latest?.queueDepth}
          hint="runnable phases waiting for an executor"
        />
        <Card label="runnable phases" value={latest?.runnable} />
        <Card label="running phases" value={latest?.running} hint="claimed or running" />
        <Card
          label="runs running / queued"
          value={latest ? `${latest.runsRunning} / ${latest.runsQueued}` : undefined}
        />
        <Card
          label="lease expiries"
          value={latest?.leaseExpirations}
          hint="since the database was created"
        />
      </div>

      <h2>Queue and work in progress</h2>
      <LineChart
        label="queue depth, runnable and running phases over time"
        formatValue={(v) => String(Math.round(v))}
        minMax={1}
        empty="Sampling /metrics every 5 s…"
        series={[
          { name: "queue depth", points: sampled((s) => s.queueDepth) },
          { name: "runnable", points: sampled((s) => s.runnable) },
          { name: "running", points: sampled((s) => s.running) },
        ]}
      />
      <p class="muted">Sampled every 5 s since this page was opened.</p>

      <h2>Lease expiries</h2>
      <LineChart
        label="lease expiries over time"
        formatValue={(v) => String(Math.round(v))}
        minMax={1}
        empty="Sampling /metrics every 5 s…"
        series={[{ name: "lease expiries (total)", points: sampled((s) => s.leaseExpirations) }]}
      />

      <h2>Success rate by phase</h2>
      {rates.error ? <ErrorNotice error={rates.error} what="the runs" /> : null}
      {rates.data ? (
        <>
          <p class="muted">
            Over the last {rates.data.runs} runs: phases that ended succeeded or failed.
          </p>
          <BarList
            label="success rate by phase"
            empty="No phase has ended yet."
            items={rates.data.phases.map((phase) => ({
              label: phase.phase,
              fraction: phase.rate ?? 0,
              tone:
                phase.rate === undefined
                  ? "none"
                  : phase.rate >= 0.99
                    ? "ok"
                    : phase.rate >= 0.9
                      ? "warn"
                      : "error",
              text:
                phase.rate === undefined
                  ? "no ended attempt"
                  : `${phase.succeeded}/${phase.succeeded + phase.failed} (${Math.round(phase.rate * 100)}%)${
                      phase.retries > 0 ? ` · ${phase.retries} retries` : ""
                    }`,
            }))}
          />
        </>
      ) : (
        <p class="muted">Reading runs…</p>
      )}

      <h2>Ingest freshness</h2>
      {freshness.error ? <ErrorNotice error={freshness.error} what="the ingest events" /> : null}
      {freshness.data ? (
        <LineChart
          label="ingest lag per source stream over time"
          formatValue={(v) => formatDuration(v * 1_000)}
          empty="No ingest run has reported freshness (SOURCE_FRESHNESS events) yet."
          series={[...freshness.data.entries()].map(([stream, points]) => ({
            name: stream,
            points: points.map((p) => ({ t: p.t, v: p.lagSeconds })),
          }))}
        />
      ) : (
        <p class="muted">Reading ingest runs…</p>
      )}
      <p class="muted">
        How far each source stream's newest ingested change was behind the source when it was
        measured, from the last {INGEST_RUNS} ingest runs.
      </p>
    </section>
  );
}

function Card(props: { label: string; value: number | string | undefined; hint?: string }) {
  return (
    <div class="card" title={props.hint}>
      <span class="card-value">{props.value ?? "…"}</span>
      <span class="card-label">{props.label}</span>
    </div>
  );
}
