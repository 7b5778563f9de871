function cellText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Rows as a table with a sticky header that scrolls both ways inside its box, so a
 * wide result never widens the page. Nulls are shown as a dimmed `null`; nested
 * values as JSON; numbers right-aligned.
 */
export function DataTable(props: {
  columns: readonly string[];
  rows: readonly Record<string, unknown>[];
  caption?: string;
}) {
  return (
    <section class="table-scroll" aria-label={props.caption ?? "rows"}>
      <table class="data-table">
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, index) => (
            // Preview rows have no identity of their own: their position is their key.
            <tr key={index}>
              {props.columns.map((column) => {
                const value = row[column];
                return (
                  <td
                    key={column}
                    class={
                      value === null || value === undefined
                        ? "null-cell"
                        : typeof value === "number"
                          ? "number-cell"
                          : undefined
                    }
                  >
                    {cellText(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
