import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { SqlEngine, SqlValue, TableField, TableSchema } from "@controlroom/executor-kit";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { readQuotedName } from "../internal/type-text.js";
import { DuckDbError } from "./duckdb-error.js";
import { logicalTypeSql } from "./logical-type-sql.js";

/** A Parquet file a `COPY … (RETURN_STATS true)` wrote, as its writer reported it. */
export interface WrittenFile {
  /** The local path. */
  path: string;
  records: number;
  sizeBytes: number;
  /**
   * The file's top-level column names, from the writer's column statistics; undefined
   * when it reported none it could be read from.
   */
  columns: string[] | undefined;
}

/** The files written for one set of partition values (none for an unpartitioned table). */
export interface CopiedGroup {
  written: WrittenFile[];
  values: Record<string, string | null>;
}

/** What {@link copyQueryToFiles} writes, and where. */
export interface CopyQueryToFilesOptions {
  /** The table's schema: its column order, and the partition columns' types. */
  schema: TableSchema;
  partitionColumns: readonly string[];
  /** A directory to write under (one subdirectory per partition). */
  directory: string;
  /** `FILE_SIZE_BYTES`, in DuckDB's syntax. */
  targetFileSize: string;
  rowGroupSize: number;
  params: readonly SqlValue[] | Readonly<Record<string, SqlValue>> | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Writes the rows of `select` (already in the table's columns and types) as Parquet
 * files under `options.directory`: one `COPY` for an unpartitioned table; for a
 * partitioned one, the rows materialised once in a stage table (dropped afterwards),
 * then one `COPY` per partition value without the partition columns. Each `COPY`
 * reports the files it wrote with their row counts and sizes (`RETURN_STATS`), so no
 * file is listed, opened or stat'ed again afterwards. Files may hold no rows.
 *
 * @example
 * ```ts
 * const groups = await copyQueryToFiles(engine, "SELECT 1 AS id", { schema, partitionColumns: [], directory, targetFileSize: "128MB", rowGroupSize: 32_768, params: undefined, signal: undefined });
 * ```
 */
export async function copyQueryToFiles(
  engine: SqlEngine,
  select: string,
  options: CopyQueryToFilesOptions,
): Promise<CopiedGroup[]> {
  const { schema, partitionColumns, directory, signal } = options;
  const copyOptions = `FORMAT parquet, FILE_SIZE_BYTES ${quoteLiteral(options.targetFileSize)}, ROW_GROUP_SIZE ${options.rowGroupSize}, FILENAME_PATTERN 'part-{uuid}', RETURN_STATS true`;
  if (partitionColumns.length === 0) {
    const written = await copyToFiles(engine, select, join(directory, "0"), copyOptions, {
      params: options.params,
      signal,
    });
    return [{ written, values: {} }];
  }
  const stage = quoteIdentifier(`__controlroom_stage_${randomUUID().replaceAll("-", "")}`);
  const dataColumns = schema.fields
    .filter((field) => !partitionColumns.includes(field.name))
    .map((field) => quoteIdentifier(field.name))
    .join(", ");
  // Materialise once, then copy each partition out of the stage table.
  await engine.execute(`CREATE TABLE ${stage} AS ${select}`, { params: options.params, signal });
  try {
    const keys = partitionColumns.map((column) => {
      const field = schema.fields.find((f) => f.name === column) as TableField;
      return { column, expression: partitionStringSql(quoteIdentifier(column), field) };
    });
    const { rows } = await engine.query<Record<string, string | null>>(
      `SELECT DISTINCT ${keys.map((k, i) => `${k.expression} AS k${i}`).join(", ")} FROM ${stage}`,
      { signal },
    );
    const groups: CopiedGroup[] = [];
    for (const [index, row] of rows.entries()) {
      const values: Record<string, string | null> = {};
      const where = keys.map((key, i) => {
        const value = row[`k${i}`] ?? null;
        values[key.column] = value;
        return `${key.expression} IS NOT DISTINCT FROM ${value === null ? "NULL" : quoteLiteral(value)}`;
      });
      const written = await copyToFiles(
        engine,
        `SELECT ${dataColumns} FROM ${stage} WHERE ${where.join(" AND ")}`,
        join(directory, String(index)),
        copyOptions,
        { params: undefined, signal },
      );
      groups.push({ written, values });
    }
    return groups;
  } finally {
    await engine.execute(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
  }
}

// `COPY (select) TO dir` with RETURN_STATS in `copyOptions`: the files it wrote, by name.
async function copyToFiles(
  engine: SqlEngine,
  select: string,
  dir: string,
  copyOptions: string,
  query: { params: CopyQueryToFilesOptions["params"]; signal: AbortSignal | undefined },
): Promise<WrittenFile[]> {
  const { rows } = await engine.query<{
    filename: string;
    count: bigint | number;
    file_size_bytes: bigint | number;
    column_statistics: unknown;
  }>(`COPY (${select}) TO ${quoteLiteral(dir)} (${copyOptions})`, query);
  return rows
    .map((row) => ({
      path: row.filename,
      records: Number(row.count),
      sizeBytes: Number(row.file_size_bytes),
      columns: topLevelColumns(row.column_statistics),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// RETURN_STATS keys each leaf column by its quoted path (`"total"`, `"s"."x"`,
// `"l"."element"`); the first name of each path is a column of the file.
function topLevelColumns(statistics: unknown): string[] | undefined {
  if (!Array.isArray(statistics)) return undefined;
  const names = new Set<string>();
  for (const entry of statistics) {
    const key = (entry as { key?: unknown } | null)?.key;
    if (typeof key !== "string" || !key.startsWith('"')) return undefined;
    names.add(readQuotedName(key, '"').name);
  }
  return [...names];
}

// A partition value as Delta stores it: text, `true`/`false`, `YYYY-MM-DD`,
// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC); NULL stays NULL.
function partitionStringSql(column: string, field: TableField): string {
  const type = logicalTypeSql(field.type);
  switch (type) {
    case "VARCHAR":
      return column;
    case "BOOLEAN":
      return `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} THEN 'true' ELSE 'false' END`;
    case "DATE":
      return `strftime(${column}, '%Y-%m-%d')`;
    case "TIMESTAMP":
    case "TIMESTAMPTZ":
      return `strftime(${column}, '%Y-%m-%d %H:%M:%S.%f')`;
    case "BLOB":
      throw new DuckDbError(
        "DUCKDB_INVALID_ARGUMENT",
        `cannot partition by the binary column ${field.name}`,
      );
    default:
      if (/[[(]/.test(type) && !type.startsWith("DECIMAL")) {
        throw new DuckDbError(
          "DUCKDB_INVALID_ARGUMENT",
          `cannot partition by the nested column ${field.name}`,
        );
      }
      return `CAST(${column} AS VARCHAR)`;
  }
}
