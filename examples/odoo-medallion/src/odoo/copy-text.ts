import type { OdooRow, OdooValue } from "./odoo-tables.js";

/**
 * Encodes rows in Postgres COPY text format: one line per row, columns separated by tabs,
 * `\N` for NULL, backslash escapes for backslash, tab, newline and carriage return;
 * objects (jsonb) as JSON.
 *
 * @example
 * ```ts
 * toCopyText([{ id: 1, name: "a\tb" }], ["id", "name"]); // "1\ta\\tb\n"
 * ```
 */
export function toCopyText(rows: readonly OdooRow[], columns: readonly string[]): string {
  // One reused cell array per call and a single join per row: far less garbage than
  // concatenating cell by cell, which matters at a million rows.
  const cells = new Array<string>(columns.length);
  const lines = new Array<string>(rows.length + 1);
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r] as OdooRow;
    for (let c = 0; c < columns.length; c += 1) cells[c] = encodeValue(row[columns[c] as string]);
    lines[r] = cells.join("\t");
  }
  lines[rows.length] = "";
  return rows.length === 0 ? "" : lines.join("\n");
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

function encodeValue(value: OdooValue | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  // Most values need no escaping; the test keeps the common path cheap.
  return NEEDS_ESCAPE.test(text)
    ? text
        .replaceAll("\\", "\\\\")
        .replaceAll("\t", "\\t")
        .replaceAll("\n", "\\n")
        .replaceAll("\r", "\\r")
    : text;
}
