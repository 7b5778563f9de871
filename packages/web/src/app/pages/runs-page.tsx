import { ENVIRONMENTS, type ListRunsQuery, RUN_STATUSES, type Run } from "@controlroom/contract";
import { useState } from "preact/hooks";
import { ErrorNotice } from "../components/error-notice.js";
import { PhaseProgress } from "../components/phase-progress.js";
import { StatusBadge } from "../components/status-badge.js";
import { usePolled } from "../hooks/use-polled.js";
import { elapsedMs, formatAgo, formatDuration, formatTime, shortHash } from "../model/format.js";
import { Link, navigate } from "../router/navigation.js";
import { runPath } from "../router/routes.js";
import { useSession } from "../session/session-context.js";

const SINCE: Record<string, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 604_800_000,
  "30d": 2_592_000_000,
};
const POLL_MS = 3_000;

interface RunsFilter {
  status: string;
  spec: string;
  environment: string;
  since: string;
}

function readFilter(search: string): RunsFilter {
  const query = new URLSearchParams(search);
  return {
    status: query.get("status") ?? "",
    spec: query.get("spec") ?? "",
    environment: query.get("environment") ?? "",
    since: query.get("since") ?? "",
  };
}

/**
 * The runs, newest first, refreshed every few seconds: filtered by status, spec,
 * environment (by the API) and by creation time (here: the API has no time filter, so
 * pages are read until they reach older runs). Filters live in the address, so a
 * filtered list can be shared or bookmarked.
 */
export function RunsPage(props: { search: string }) {
  const { client } = useSession();
  const filter = readFilter(props.search);
  const [limit, setLimit] = useState(100);
  const [spec, setSpec] = useState(filter.spec);
  const key = `${props.search}|${limit}`;
  const runs = usePolled(
    async (signal) => {
      const query: ListRunsQuery = { limit: Math.min(limit, 100) };
      if (filter.status) query.status = filter.status as Run["status"];
      if (filter.spec) query.spec_slug = filter.spec;
      if (filter.environment) query.environment = filter.environment as Run["environment"];
      const since = SINCE[filter.since];
      const cutoff = since === undefined ? undefined : Date.now() - since;
      const out: Run[] = [];
      let cursor: string | undefined;
      let more = false;
      do {
        const page = await client.runs.list(
          { ...query, ...(cursor ? { cursor } : {}) },
          { signal },
        );
        for (const run of page.items) {
          if (cutoff !== undefined && Date.parse(run.created_at) < cutoff) {
            return { runs: out, more: false };
          }
          out.push(run);
        }
        cursor = page.next_cursor ?? undefined;
        more = cursor !== undefined;
      } while (cursor && out.length < limit);
      return { runs: out.slice(0, limit), more: more || out.length > limit };
    },
    POLL_MS,
    key,
  );

  const update = (change: Partial<RunsFilter>) => {
    const next = { ...filter, ...change };
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(next)) if (value) query.set(name, value);
    const text = query.toString();
    navigate(`/runs${text ? `?${text}` : ""}`, { replace: true });
  };
  const now = Date.now();
  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <form
        class="toolbar filters"
        aria-label="filter runs"
        onSubmit={(event) => {
          event.preventDefault();
          update({ spec: spec.trim() });
        }}
      >
        <label>
          Status{" "}
          <select value={filter.status} onChange={(e) => update({ status: e.currentTarget.value })}>
            <option value="">any</option>
            {RUN_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Spec{" "}
          <input
            type="text"
            value={spec}
            placeholder="e.g. odoo-finance"
            onInput={(e) => setSpec(e.currentTarget.value)}
            onBlur={() => spec.trim() !== filter.spec && update({ spec: spec.trim() })}
          />
        </label>
        <label>
          Environment{" "}
          <select
            value={filter.environment}
            onChange={(e) => update({ environment: e.currentTarget.value })}
          >
            <option value="">any</option>
            {ENVIRONMENTS.map((environment) => (
              <option key={environment} value={environment}>
                {environment}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created{" "}
          <select value={filter.since} onChange={(e) => update({ since: e.currentTarget.value })}>
            <option value="">any time</option>
            <option value="1h">last hour</option>
            <option value="24h">last 24 hours</option>
            <option value="7d">last 7 days</option>
            <option value="30d">last 30 days</option>
          </select>
        </label>
        <button type="submit" class="small">
          Apply
        </button>
        <span class="muted" aria-live="polite">
          {runs.loading
            ? "loading…"
            : runs.data
              ? `${runs.data.runs.length} run${runs.data.runs.length === 1 ? "" : "s"} · live`
              : ""}
        </span>
      </form>
      {runs.error ? <ErrorNotice error={runs.error} what="the runs" /> : null}
      {runs.data && runs.data.runs.length === 0 ? (
        <p class="empty">
          No run matches. Start one with <code>pnpm demo</code>, or change the filters.
        </p>
      ) : null}
      {runs.data && runs.data.runs.length > 0 ? (
        <section class="table-scroll" aria-label="runs">
          <table class="data-table runs-table">
            <thead>
              <tr>
                <th scope="col">status</th>
                <th scope="col">run</th>
                <th scope="col">spec</th>
                <th scope="col">git sha</th>
                <th scope="col">env</th>
                <th scope="col">created</th>
                <th scope="col">duration</th>
                <th scope="col">phases</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((run) => {
                const ran = elapsedMs(run.started_at ?? run.created_at, run.finished_at, now);
                return (
                  <tr key={run.run_id} data-run-id={run.run_id} data-status={run.status}>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td class="mono">
                      <Link
                        href={runPath(run.run_id)}
                        aria-label={`run ${run.run_id} (${run.spec_slug}, ${run.status})`}
                      >
                        {run.run_id.slice(0, 8)}…
                      </Link>
                    </td>
                    <td>{run.spec_slug}</td>
                    <td class="mono" title={run.git_sha}>
                      {shortHash(run.git_sha)}
                    </td>
                    <td>{run.environment}</td>
                    <td title={formatTime(run.created_at)}>{formatAgo(run.created_at, now)}</td>
                    <td class="number-cell">{ran === undefined ? "–" : formatDuration(ran)}</td>
                    <td>
                      <PhaseProgress phases={run.phases} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}
      {runs.data?.more ? (
        <button type="button" class="small" onClick={() => setLimit(limit + 100)}>
          Show 100 more
        </button>
      ) : null}
    </section>
  );
}
