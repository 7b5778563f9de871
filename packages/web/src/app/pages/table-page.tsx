import { DataTable } from "../components/data-table.js";
import { ErrorNotice } from "../components/error-notice.js";
import { usePolled } from "../hooks/use-polled.js";
import { formatTime, shortHash } from "../model/format.js";
import { Link } from "../router/navigation.js";
import { runPath, tablePath } from "../router/routes.js";
import { useSession } from "../session/session-context.js";

/**
 * One table as a run recorded it: its version history (with the run, phase and commit
 * that wrote each version, from the table's own commit log), the schema and the first
 * rows of the version shown — the run's own unless another is picked from the history.
 */
export function TablePage(props: { runId: string; name: string; version: number | undefined }) {
  const { ui } = useSession();
  const detail = usePolled(
    (signal) => ui.runTable(props.runId, props.name, { version: props.version, signal }),
    0,
    `${props.runId}|${props.name}|${props.version}`,
  );
  const data = detail.data;
  return (
    <section aria-labelledby="table-title">
      <h1 id="table-title">{props.name}</h1>
      <p>
        As written by run{" "}
        <Link href={runPath(props.runId)} class="mono">
          {props.runId}
        </Link>
        {data ? (
          <>
            {" "}
            (phase {data.phase}, version {data.run_version}) ·{" "}
            <span class="mono">{data.location}</span>
          </>
        ) : null}
      </p>
      {detail.error ? <ErrorNotice error={detail.error} what="this table" /> : null}
      {detail.loading && !data ? <p class="muted">Reading the table…</p> : null}
      {data ? (
        <>
          <h2>
            Rows of version {data.version}{" "}
            <span class="muted">
              ({data.preview.rows.length} of {data.row_count} shown)
            </span>
          </h2>
          <DataTable
            columns={data.preview.columns}
            rows={data.preview.rows}
            caption={`rows of ${props.name}`}
          />

          <h2>Schema</h2>
          <DataTable
            columns={["name", "type", "nullable"]}
            rows={data.schema.map((field) => ({
              ...field,
              nullable: field.nullable ? "yes" : "no",
            }))}
            caption="schema"
          />

          <h2>Version history</h2>
          <section class="table-scroll" aria-label="version history">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">version</th>
                  <th scope="col">committed</th>
                  <th scope="col">operation</th>
                  <th scope="col">run</th>
                  <th scope="col">phase</th>
                  <th scope="col">git sha</th>
                  <th scope="col">
                    <span class="visually-hidden">actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.history.map((entry) => (
                  <tr
                    key={entry.version}
                    class={entry.version === data.version ? "current-row" : undefined}
                  >
                    <td class="number-cell">{entry.version}</td>
                    <td>{formatTime(entry.timestamp)}</td>
                    <td>{entry.operation}</td>
                    <td class="mono">
                      {entry.run_id ? (
                        <Link href={runPath(entry.run_id)}>{entry.run_id.slice(0, 8)}…</Link>
                      ) : (
                        "–"
                      )}
                    </td>
                    <td>{entry.phase ?? "–"}</td>
                    <td class="mono" title={entry.git_sha ?? undefined}>
                      {entry.git_sha ? shortHash(entry.git_sha) : "–"}
                    </td>
                    <td>
                      {entry.version === data.version ? (
                        <span class="muted">shown</span>
                      ) : (
                        <Link href={tablePath(props.name, props.runId, entry.version)}>
                          show rows
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </section>
  );
}
