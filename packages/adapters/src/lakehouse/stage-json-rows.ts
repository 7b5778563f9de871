import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SqlRow } from "@controlroom/executor-kit";
import { LakehouseError } from "../internal/lakehouse-error.js";
import { quoteLiteral } from "../internal/sql-quote.js";
import type { StagingColumn } from "./staging-columns.js";

/** Rows staged on disk by {@link stageJsonRows}. */
export interface StagedJsonRows {
  /** One newline-delimited JSON file per non-empty batch, in order. */
  files: string[];
  rowCount: number;
  /** The longest line, in bytes (DuckDB's `read_json` needs a bound on object size). */
  maxLineBytes: number;
}

// read_json reads in buffers of about this size per thread: its own default (16 MiB)
// costs tens of MB for nothing when rows are short. Raised when a row is longer.
const DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
const MAX_OBJECT_SIZE = 2 ** 32 - 1;

/**
 * Writes every row of `batches` to newline-delimited JSON files in `directory`, one
 * file per batch, each value converted by its column ({@link StagingColumn.toJson});
 * columns a row lacks are null and columns the schema lacks are left out. Memory holds
 * one batch.
 *
 * @example
 * ```ts
 * const staged = await stageJsonRows(batches, stagingColumns(schema, "bronze/t"), dir, { location: "bronze/t" });
 * const sql = stagedRowsSql(staged, columns);
 * ```
 */
export async function stageJsonRows(
  batches: AsyncIterable<readonly SqlRow[]>,
  columns: readonly StagingColumn[],
  directory: string,
  options: { location: string; signal?: AbortSignal | undefined },
): Promise<StagedJsonRows> {
  const files: string[] = [];
  let rowCount = 0;
  let maxLineBytes = 0;
  for await (const batch of batches) {
    options.signal?.throwIfAborted();
    if (batch.length === 0) continue;
    const lines: string[] = new Array(batch.length);
    for (const [index, row] of batch.entries()) {
      if (row === null || typeof row !== "object") {
        throw new LakehouseError(
          "LAKEHOUSE_INVALID_VALUE",
          `cannot write rows to ${options.location}: row ${rowCount + index} is not an object`,
          { location: options.location },
        );
      }
      const record: Record<string, unknown> = {};
      for (const column of columns) {
        record[column.name] = column.toJson(row[column.name], rowCount + index);
      }
      const line = JSON.stringify(record);
      maxLineBytes = Math.max(maxLineBytes, Buffer.byteLength(line));
      lines[index] = line;
    }
    const path = join(directory, `rows-${String(files.length).padStart(6, "0")}.ndjson`);
    await writeFile(path, `${lines.join("\n")}\n`, { signal: options.signal });
    files.push(path);
    rowCount += batch.length;
  }
  return { files, rowCount, maxLineBytes };
}

/**
 * The `SELECT` reading staged rows back with DuckDB's `read_json`, every column parsed
 * as its declared type (no type detection), in `columns` order.
 *
 * @example
 * ```ts
 * await engine.query(`SELECT count(*) FROM (${stagedRowsSql(staged, columns)})`);
 * ```
 */
export function stagedRowsSql(staged: StagedJsonRows, columns: readonly StagingColumn[]): string {
  const types = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.readType)}`);
  const maxObjectSize = Math.min(
    MAX_OBJECT_SIZE,
    Math.max(DEFAULT_MAX_OBJECT_SIZE, staged.maxLineBytes + 1024),
  );
  const files = staged.files.map(quoteLiteral).join(", ");
  return (
    `SELECT ${columns.map((c) => c.selectSql).join(", ")} FROM read_json([${files}], ` +
    `format = 'newline_delimited', records = true, auto_detect = false, ` +
    `maximum_object_size = ${maxObjectSize}, columns = {${types.join(", ")}})`
  );
}
