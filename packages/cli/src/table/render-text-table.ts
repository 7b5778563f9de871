const MAX_WIDTH = 60;

/**
 * Renders rows as an aligned text table for a terminal: a header, a rule, one line
 * per row; cells are the JSON form of each value (strings unquoted, null as `null`),
 * cut at 60 characters.
 *
 * @example
 * ```ts
 * renderTextTable(["id", "name"], [{ id: 1, name: "a" }]);
 * // ["id | name", "---+-----", "1  | a"]
 * ```
 */
export function renderTextTable(columns: string[], rows: Record<string, unknown>[]): string[] {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => (line[index] as string).length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] as number))
      .join(" | ")
      .trimEnd();
  return [line(columns), widths.map((width) => "-".repeat(width)).join("-+-"), ...cells.map(line)];
}

function cellText(value: unknown): string {
  const text =
    value === null || value === undefined
      ? "null"
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  const flat = text.replaceAll("\n", "\\n");
  return flat.length > MAX_WIDTH ? `${flat.slice(0, MAX_WIDTH - 1)}…` : flat;
}
