import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { toJsonRow } from "../lakehouse/to-json-row.js";
import { IcebergError } from "./iceberg-error.js";
import { type IcebergSchema, icebergDuckDbType } from "./iceberg-schema.js";

/**
 * Rows to write: JavaScript objects (bigints for longs, Dates for timestamps, strings
 * for exact decimals, Uint8Array for binary), or a DuckDB query (with `$1…`
 * parameters) whose columns are matched to the table's by name.
 */
export type IcebergWriteInput =
  | { rows: readonly Record<string, unknown>[] }
  | { sql: string; params?: readonly unknown[] | undefined };

/**
 * The DuckDB query giving `input`'s rows: the query itself, or `read_json` over the rows
 * staged as newline-delimited JSON in `directory` (each column parsed as its table
 * type, bytes as base64; bigints travel as digit strings, so nothing rounds).
 */
export async function writeInputSql(
  input: IcebergWriteInput,
  schema: IcebergSchema,
  directory: string,
): Promise<{ sql: string; params?: readonly unknown[] | undefined }> {
  if ("sql" in input) return { sql: input.sql, params: input.params };
  const binary = (type: string) => type === "binary" || type.startsWith("fixed[");
  const select = schema.fields.map((field) => {
    const name = quoteIdentifier(field.name);
    return binary(field.type) ? `from_base64(${name}) AS ${name}` : name;
  });
  if (input.rows.length === 0) {
    const empty = schema.fields.map(
      (field) => `CAST(NULL AS ${icebergDuckDbType(field.type)}) AS ${quoteIdentifier(field.name)}`,
    );
    return { sql: `SELECT ${empty.join(", ")} WHERE false` };
  }
  const known = new Set(schema.fields.map((field) => field.name));
  for (const row of input.rows) {
    const extra = Object.keys(row).find((key) => !known.has(key));
    if (extra !== undefined) {
      throw new IcebergError("ICEBERG_INVALID_ARGUMENT", `the table has no column "${extra}"`);
    }
  }
  const path = join(directory, "rows.ndjson");
  await writeFile(path, input.rows.map((row) => JSON.stringify(toJsonRow(row))).join("\n"));
  const types = schema.fields.map(
    (field) =>
      `${quoteLiteral(field.name)}: ${quoteLiteral(binary(field.type) ? "VARCHAR" : icebergDuckDbType(field.type))}`,
  );
  return {
    sql: `SELECT ${select.join(", ")} FROM read_json(${quoteLiteral(path)}, format = 'newline_delimited', auto_detect = false, columns = {${types.join(", ")}})`,
  };
}
