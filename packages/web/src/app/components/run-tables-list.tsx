import type { Run } from "@controlroom/contract";
import { shortHash } from "../model/format.js";
import { runTables } from "../model/run-tables.js";
import { Link } from "../router/navigation.js";
import { tablePath } from "../router/routes.js";

/** The tables the run's output manifest records, by layer, each linking to its history, schema and rows. */
export function RunTablesList(props: { run: Run }) {
  const tables = runTables(props.run);
  if (props.run.output_manifest === null) {
    return <p class="muted">Tables are listed from the output manifest once the run has ended.</p>;
  }
  if (tables.length === 0) return <p class="muted">This run recorded no table.</p>;
  return (
    <section class="table-scroll" aria-label="tables written">
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">table</th>
            <th scope="col">phase</th>
            <th scope="col">location</th>
            <th scope="col">version</th>
            <th scope="col">rows</th>
            <th scope="col">content sha256</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((table) => (
            <tr key={table.name}>
              <td>
                <Link href={tablePath(table.name, props.run.run_id)}>{table.name}</Link>
              </td>
              <td>{table.phase}</td>
              <td class="mono">{table.location}</td>
              <td class="number-cell">{table.version}</td>
              <td class="number-cell">{table.rows ?? "–"}</td>
              <td class="mono" title={table.sha256}>
                {table.sha256 ? shortHash(table.sha256) : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
