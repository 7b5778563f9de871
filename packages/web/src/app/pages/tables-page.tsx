import type { Run } from "@controlroom/contract";
import { useState } from "preact/hooks";
import { ErrorNotice } from "../components/error-notice.js";
import { usePolled } from "../hooks/use-polled.js";
import { formatAgo, formatTime, shortHash } from "../model/format.js";
import { type RunTable, runTables } from "../model/run-tables.js";
import { Link } from "../router/navigation.js";
import { runPath, tablePath } from "../router/routes.js";
import { useSession } from "../session/session-context.js";

const RUNS_READ = 100;

interface LatestTable extends RunTable {
  run: Run;
  /** How many of the runs read wrote this table. */
  writes: number;
}

/**
 * Every table the recent runs wrote (read from their output manifests), with the latest
 * version and the run that wrote it; each links to its history, schema and rows.
 */
export function TablesPage() {
  const { client } = useSession();
  const [text, setText] = useState("");
  const tables = usePolled(
    async (signal) => {
      const page = await client.runs.list({ limit: RUNS_READ }, { signal });
      const latest = new Map<string, LatestTable>();
      for (const run of page.items) {
        for (const table of runTables(run)) {
          const known = latest.get(table.name);
          if (known) known.writes += 1;
          else latest.set(table.name, { ...table, run, writes: 1 });
        }
      }
      return [...latest.values()];
    },
    10_000,
    "tables",
  );
  const needle = text.trim().toLowerCase();
  const shown = (tables.data ?? []).filter(
    (table) => !needle || `${table.name} ${table.location}`.toLowerCase().includes(needle),
  );
  return (
    <section aria-labelledby="tables-title">
      <h1 id="tables-title">Tables</h1>
      <p class="muted">
        Tables written by the last {RUNS_READ} runs, from their output manifests: the latest version
        of each and the run that wrote it.
      </p>
      <div class="toolbar">
        <label>
          Search{" "}
          <input
            type="search"
            value={text}
            placeholder="name or location"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
      </div>
      {tables.error ? <ErrorNotice error={tables.error} what="the tables" /> : null}
      {tables.loading && !tables.data ? <p class="muted">Loading…</p> : null}
      {tables.data && shown.length === 0 ? (
        <p class="empty">No table yet: tables appear once a run that writes them has ended.</p>
      ) : null}
      {shown.length > 0 ? (
        <section class="table-scroll" aria-label="tables">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">table</th>
                <th scope="col">location</th>
                <th scope="col">version</th>
                <th scope="col">rows</th>
                <th scope="col">content</th>
                <th scope="col">written by</th>
                <th scope="col">when</th>
                <th scope="col">runs</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((table) => (
                <tr key={table.name}>
                  <td>
                    <Link href={tablePath(table.name, table.run.run_id)}>{table.name}</Link>
                  </td>
                  <td class="mono">{table.location}</td>
                  <td class="number-cell">{table.version}</td>
                  <td class="number-cell">{table.rows ?? "–"}</td>
                  <td class="mono">{table.sha256 ? shortHash(table.sha256) : "–"}</td>
                  <td>
                    <Link href={runPath(table.run.run_id)} class="mono">
                      {table.run.run_id.slice(0, 8)}…
                    </Link>{" "}
                    {table.phase}
                  </td>
                  <td title={formatTime(table.run.finished_at)}>
                    {formatAgo(table.run.finished_at, Date.now())}
                  </td>
                  <td class="number-cell">{table.writes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </section>
  );
}
