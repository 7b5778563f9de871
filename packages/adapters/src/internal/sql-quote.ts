/**
 * Quotes a SQL identifier (DuckDB and standard SQL: double quotes, doubled inside).
 *
 * @example
 * ```ts
 * quoteIdentifier('my "col"'); // "\"my \"\"col\"\"\""
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a SQL string literal (single quotes, doubled inside). Use it only where a
 * statement cannot take bound parameters (table functions' file lists, `COPY … TO`).
 *
 * @example
 * ```ts
 * quoteLiteral("it's"); // "'it''s'"
 * ```
 */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
