import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, SqlEngine } from "@controlroom/executor-kit";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { IcebergError } from "./iceberg-error.js";
import type { IcebergDataFile } from "./iceberg-manifests.js";
import { type IcebergPartitionSpec, partitionResultType } from "./iceberg-partition-spec.js";
import {
  partitionValueSql,
  partitionValueText,
  toPartitionValue,
} from "./iceberg-partition-values.js";
import { type IcebergSchema, icebergDuckDbType } from "./iceberg-schema.js";

/** Where and how {@link writeIcebergDataFiles} writes. */
export interface DataFileWriteContext {
  store: ObjectStore;
  /** A DuckDB engine (UTC session) that can run `sql`. */
  engine: SqlEngine;
  /** The table's location in the store; files go under `<location>/data/`. */
  location: string;
  /** Scratch space for the Parquet files before upload. @default os.tmpdir() */
  tempDirectory?: string | undefined;
  /** Start a new file after about this many bytes (DuckDB's syntax). @default "128MB" */
  targetFileSize?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** What {@link writeIcebergDataFiles} uploaded. */
export interface WrittenDataFiles {
  files: IcebergDataFile[];
  rowCount: number;
  /** Every key uploaded: delete them when the commit fails. */
  keys: string[];
}

let stageCounter = 0;

/**
 * Runs `sql` on DuckDB and writes its rows as Parquet data files of the table: each
 * schema column matched by name (ignoring case) and cast to its type (a column the
 * table lacks is an error, one the query lacks is NULL), NOT NULL columns checked,
 * rows grouped by partition value (one set of files per partition, under
 * `data/<field>=<value>/`), and every Parquet column tagged with its Iceberg field id
 * (`FIELD_IDS`), so that engines map columns by id. Files are named by UUID, uploaded,
 * and returned with record counts, sizes and partition tuples for the manifest.
 *
 * @example
 * ```ts
 * const { files } = await writeIcebergDataFiles({ store, engine, location: "t" }, "SELECT 1 AS id", schema, spec);
 * ```
 */
export async function writeIcebergDataFiles(
  context: DataFileWriteContext,
  sql: string,
  schema: IcebergSchema,
  spec: IcebergPartitionSpec,
  params?: readonly unknown[] | undefined,
): Promise<WrittenDataFiles> {
  const { engine, signal, store } = context;
  const stage = `__controlroom_iceberg_stage_${++stageCounter}`;
  const directory = await mkdtemp(join(context.tempDirectory ?? tmpdir(), "controlroom-iceberg-"));
  const keys: string[] = [];
  try {
    const query = { params: params as never, signal };
    const { rows: described } = await engine.query<{ column_name: string }>(
      `DESCRIBE ${sql}`,
      query,
    );
    const projection = projectionSql(
      schema,
      described.map((row) => row.column_name),
      sql,
    );
    const partitions = spec.fields.map((field, index) => {
      const source = schema.fields.find((candidate) => candidate.id === field.sourceId);
      if (source === undefined) {
        throw new IcebergError(
          "ICEBERG_INVALID_METADATA",
          `partition field ${field.name} names source id ${field.sourceId}, which is not in the schema`,
        );
      }
      return {
        field,
        alias: `__p${index}`,
        sql: partitionValueSql(field, quoteIdentifier(source.name), source.type),
        resultType: partitionResultType(field.transform, source.type),
      };
    });
    const keyColumns = partitions.map((p) => p.alias).join(", ");
    const withKeys =
      partitions.length === 0
        ? `SELECT *, 1 AS __g FROM (${projection})`
        : `SELECT *, dense_rank() OVER (ORDER BY ${keyColumns}) AS __g FROM (SELECT *, ${partitions
            .map((p) => `${p.sql} AS ${p.alias}`)
            .join(", ")} FROM (${projection}))`;
    await engine.execute(`CREATE TABLE ${stage} AS ${withKeys}`, query);
    await checkRequired(engine, stage, schema, signal);

    const { rows: groups } = await engine.query<Record<string, unknown>>(
      `SELECT DISTINCT __g${partitions.length === 0 ? "" : `, ${keyColumns}`} FROM ${stage} ORDER BY __g`,
      { signal },
    );
    const columns = schema.fields.map((field) => quoteIdentifier(field.name)).join(", ");
    const fieldIds = schema.fields
      .map((field) => `${quoteLiteral(field.name)}: ${field.id}`)
      .join(", ");
    const files: IcebergDataFile[] = [];
    let rowCount = 0;
    for (const group of groups) {
      const index = Number(group.__g);
      const partition = new Map(
        partitions.map((p) => [p.field.fieldId, toPartitionValue(group[p.alias], p.resultType)]),
      );
      const dir = join(directory, String(index));
      await engine.execute(
        `COPY (SELECT ${columns} FROM ${stage} WHERE __g = ${index}) TO ${quoteLiteral(dir)} ` +
          `(FORMAT parquet, COMPRESSION snappy, FIELD_IDS {${fieldIds}}, ` +
          `FILE_SIZE_BYTES ${quoteLiteral(context.targetFileSize ?? "128MB")}, FILENAME_PATTERN 'part-{uuid}')`,
        { signal },
      );
      const partitionPath = partitions
        .map((p) => {
          const text = partitionValueText(
            partition.get(p.field.fieldId) ?? null,
            p.field.transform,
            p.resultType,
          );
          return `${encodeURIComponent(p.field.name)}=${text === null ? "null" : encodeURIComponent(text)}`;
        })
        .join("/");
      for (const name of (await readdir(dir)).sort()) {
        const path = join(dir, name);
        const { rows } = await engine.query<{ n: bigint | null }>(
          `SELECT sum(num_rows) AS n FROM parquet_file_metadata(${quoteLiteral(path)})`,
          { signal },
        );
        const records = Number(rows[0]?.n ?? 0);
        if (records === 0) continue;
        const relative = `data/${partitionPath === "" ? "" : `${partitionPath}/`}${String(files.length).padStart(5, "0")}-${randomUUID()}.parquet`;
        const key = context.location === "" ? relative : `${context.location}/${relative}`;
        const bytes = await readFile(path);
        await store.put(key, new Uint8Array(bytes), { signal });
        keys.push(key);
        files.push({
          content: 0,
          filePath: store.uri(key),
          fileFormat: "PARQUET",
          specId: spec.specId,
          partition,
          recordCount: records,
          fileSizeInBytes: (await stat(path)).size,
          record: {},
        });
        rowCount += records;
      }
    }
    return { files, rowCount, keys };
  } catch (error) {
    await Promise.all(keys.map((key) => store.delete(key).catch(() => undefined)));
    throw error;
  } finally {
    await engine.execute(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
}

// Each table column from the query (by name, ignoring case) cast to its type; NULL
// when the query lacks it.
function projectionSql(schema: IcebergSchema, columns: string[], sql: string): string {
  const byName = new Map(columns.map((name) => [name.toLowerCase(), name]));
  const known = new Set(schema.fields.map((field) => field.name.toLowerCase()));
  const extra = columns.filter((name) => !known.has(name.toLowerCase()));
  if (extra.length > 0) {
    throw new IcebergError(
      "ICEBERG_INVALID_ARGUMENT",
      `the rows have columns the table lacks: ${extra.join(", ")}`,
    );
  }
  const select = schema.fields.map((field) => {
    const type = icebergDuckDbType(field.type);
    const column = byName.get(field.name.toLowerCase());
    const value = column === undefined ? "NULL" : `q.${quoteIdentifier(column)}`;
    return `CAST(${value} AS ${type}) AS ${quoteIdentifier(field.name)}`;
  });
  return `SELECT ${select.join(", ")} FROM (${sql}) AS q`;
}

async function checkRequired(
  engine: SqlEngine,
  stage: string,
  schema: IcebergSchema,
  signal: AbortSignal | undefined,
): Promise<void> {
  const required = schema.fields.filter((field) => field.required);
  if (required.length === 0) return;
  const { rows } = await engine.query<Record<string, bigint>>(
    `SELECT ${required
      .map((field, i) => `count(*) FILTER (WHERE ${quoteIdentifier(field.name)} IS NULL) AS n${i}`)
      .join(", ")} FROM ${stage}`,
    { signal },
  );
  const nulls = required.filter((_, i) => Number(rows[0]?.[`n${i}`] ?? 0) > 0);
  if (nulls.length > 0) {
    throw new IcebergError(
      "ICEBERG_INVALID_ARGUMENT",
      `required column${nulls.length > 1 ? "s" : ""} ${nulls.map((f) => `"${f.name}"`).join(", ")} would get nulls`,
    );
  }
}
