import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataFile, ObjectStore, TableSchema } from "@controlroom/executor-kit";
import { putLocalFile } from "../internal/put-local-file.js";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { toJsonRow } from "../lakehouse/to-json-row.js";
import { collectFileStats } from "./collect-file-stats.js";
import { DeltaError } from "./delta-errors.js";
import type { DeltaFileStats } from "./delta-file-stats.js";
import { partitionDirectory, partitionStringSql } from "./delta-partition-values.js";
import { type DeltaStructField, duckDbType, fromTableSchema } from "./delta-schema.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { stageRowsWithAppender } from "./stage-rows-with-appender.js";

/**
 * Rows to write: JavaScript objects (bigint, Date, Uint8Array, nested objects and
 * arrays; decimals and exact timestamps may be strings), or a DuckDB query run on the
 * table's session (e.g. `SELECT * FROM read_parquet('staged/*.parquet')`). Columns
 * are matched to the schema by name and cast to its types.
 */
export type DeltaWriteInput =
  | { rows: readonly Record<string, unknown>[] }
  | { sql: string; params?: readonly unknown[] | undefined };

/** A data file written for a commit, with the statistics its `add` action records. */
export interface DeltaAddFile extends DataFile {
  partitionValues: Record<string, string | null>;
  stats?: DeltaFileStats | undefined;
  modificationTime?: number | undefined;
}

/** Where to write. */
export interface DataFileContext {
  store: ObjectStore;
  location: string;
  session: DuckDbSession;
}

let stageCounter = 0;

/**
 * Writes rows as Parquet data files (one per partition) with DuckDB, uploads them
 * under the table location with `putIfAbsent`, and returns them with statistics.
 * File names derive from the bytes (`part-00000-<sha256>.snappy.parquet`), so the
 * same rows give the same files on a rebuild; a name already taken gets a suffix.
 *
 * @example
 * ```ts
 * const files = await writeDeltaDataFiles({ store, location: "t", session }, { rows: [{ id: 1n }] }, schema, []);
 * ```
 */
export async function writeDeltaDataFiles(
  context: DataFileContext,
  input: DeltaWriteInput,
  schema: TableSchema,
  partitionColumns: readonly string[],
  signal?: AbortSignal,
): Promise<DeltaAddFile[]> {
  const { session } = context;
  const fields = fromTableSchema(schema).fields;
  const partitionFields = partitionColumns.map((name) => {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new DeltaError(
        "DELTA_INVALID_ARGUMENT",
        `partition column "${name}" is not in the schema`,
      );
    }
    return field;
  });
  const dataFields = fields.filter((f) => !partitionColumns.includes(f.name));
  const stage = `__controlroom_stage_${++stageCounter}`;
  const temp = await mkdtemp(join(tmpdir(), "controlroom-delta-write-"));
  try {
    await stageInput(session, stage, input, fields, temp);
    await checkNullability(session, stage, fields);
    const partitionExprs = partitionFields.map((f) =>
      partitionStringSql(quoteIdentifier(f.name), f.type),
    );
    const groups: (string | null)[][] =
      partitionFields.length === 0
        ? [[]]
        : (
            await session.all(
              `SELECT DISTINCT ${partitionExprs.map((e, i) => `${e} AS p${i}`).join(", ")} FROM ${stage} ORDER BY ALL NULLS FIRST`,
            )
          ).map((row) => partitionFields.map((_, i) => (row[`p${i}`] ?? null) as string | null));
    const files: DeltaAddFile[] = [];
    for (const [index, group] of groups.entries()) {
      signal?.throwIfAborted();
      const where =
        partitionFields.length === 0
          ? "true"
          : partitionExprs
              .map(
                (e, i) =>
                  `${e} IS NOT DISTINCT FROM ${group[i] == null ? "NULL" : quoteLiteral(group[i])}`,
              )
              .join(" AND ");
      const [count] = await session.all(`SELECT count(*) AS n FROM ${stage} WHERE ${where}`);
      if (Number(count?.n ?? 0) === 0) continue;
      const local = join(temp, `${index}.parquet`);
      const columns = dataFields.map((f) => quoteIdentifier(f.name)).join(", ");
      await session.run(
        `COPY (SELECT ${columns} FROM ${stage} WHERE ${where}) TO ${quoteLiteral(local)} (FORMAT parquet, COMPRESSION snappy)`,
      );
      const values: Record<string, string | null> = {};
      partitionFields.forEach((f, i) => {
        values[f.name] = group[i] ?? null;
      });
      const dir =
        partitionFields.length === 0 ? "" : `${partitionDirectory(partitionColumns, values)}/`;
      // Hashed and uploaded from disk: a large file is never in memory whole.
      const hash = (await sha256OfFile(local)).slice(0, 32);
      const base = `part-${String(index).padStart(5, "0")}-${hash}`;
      const path = await upload(context, `${dir}${base}`, local, signal);
      const stats = await collectFileStats(
        session,
        `SELECT * FROM ${stage} WHERE ${where}`,
        dataFields,
      );
      files.push({
        path,
        sizeBytes: (await stat(local)).size,
        recordCount: stats.numRecords,
        partitionValues: values,
        stats,
        modificationTime: Date.now(),
      });
    }
    return files;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${stage}`).catch(() => {});
    await rm(temp, { recursive: true, force: true });
  }
}

async function stageInput(
  session: DuckDbSession,
  stage: string,
  input: DeltaWriteInput,
  fields: DeltaStructField[],
  temp: string,
): Promise<void> {
  const cast = (f: DeltaStructField, source: string) =>
    `CAST(${source} AS ${duckDbType(f.type)}) AS ${quoteIdentifier(f.name)}`;
  try {
    if ("sql" in input) {
      const select = fields.map((f) => cast(f, `q.${quoteIdentifier(f.name)}`)).join(", ");
      await session.run(
        `CREATE TEMP TABLE ${stage} AS SELECT ${select} FROM (${input.sql}) AS q`,
        input.params === undefined ? undefined : [...input.params],
      );
      return;
    }
    // The appender takes the common cases (plain numbers, strings, Dates) without JSON.
    if (
      session.native !== undefined &&
      input.rows.length > 0 &&
      (await stageRowsWithAppender(session.native, stage, input.rows, fields))
    ) {
      return;
    }
    const path = join(temp, "rows.ndjson");
    await writeFile(path, input.rows.map((row) => JSON.stringify(toJsonRow(row))).join("\n"));
    // Binary values travel as base64 text; everything else parses straight into its type.
    const columns = fields
      .map(
        (f) =>
          `${quoteLiteral(f.name)}: ${quoteLiteral(f.type === "binary" ? "VARCHAR" : duckDbType(f.type))}`,
      )
      .join(", ");
    const select = fields
      .map((f) =>
        f.type === "binary"
          ? cast(f, `from_base64(${quoteIdentifier(f.name)})`)
          : quoteIdentifier(f.name),
      )
      .join(", ");
    const source =
      input.rows.length === 0
        ? `(SELECT ${fields.map((f) => `CAST(NULL AS ${duckDbType(f.type)}) AS ${quoteIdentifier(f.name)}`).join(", ")} WHERE false)`
        : `read_json(${quoteLiteral(path)}, format = 'newline_delimited', columns = {${columns}})`;
    await session.run(`CREATE TEMP TABLE ${stage} AS SELECT ${select} FROM ${source}`);
  } catch (cause) {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      `the rows do not fit the table schema: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

async function checkNullability(session: DuckDbSession, stage: string, fields: DeltaStructField[]) {
  for (const field of fields) {
    if (field.nullable) continue;
    const [row] = await session.all(
      `SELECT count(*) AS n FROM ${stage} WHERE ${quoteIdentifier(field.name)} IS NULL`,
    );
    if (Number(row?.n ?? 0) > 0) {
      throw new DeltaError(
        "DELTA_INVALID_ARGUMENT",
        `column "${field.name}" is not nullable but has nulls`,
      );
    }
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function upload(
  context: DataFileContext,
  base: string,
  local: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const prefix = context.location === "" ? "" : `${context.location}/`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const path = `${base}${attempt === 0 ? "" : `-${attempt}`}.snappy.parquet`;
    const key = `${prefix}${path}`;
    if ((await putLocalFile(context.store, key, local, { ifAbsent: true, signal })) !== undefined)
      return path;
  }
  throw new DeltaError("DELTA_INVALID_ARGUMENT", `could not find a free file name for ${base}`);
}
