import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDbEngine } from "@controlroom/adapters/duckdb";
import type { PostgresSource } from "@controlroom/adapters/postgres";
import type { WriteDateIdCursor } from "@controlroom/executor-kit";
import type {
  MedallionCheck,
  MedallionModel,
  MedallionStream,
} from "@controlroom/executor-kit/medallion";

// What the medallion template stores for each Postgres type (table-format names), and
// how DuckDB reads those back from a Delta table (see logicalTypeSql in the adapters).
const BRONZE_TYPE: Record<string, string> = {
  integer: "integer",
  smallint: "short",
  bigint: "long",
  boolean: "boolean",
  "double precision": "double",
  real: "float",
  date: "date",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamp",
};
const DUCKDB_TYPE: Record<string, string> = {
  integer: "INTEGER",
  short: "SMALLINT",
  long: "BIGINT",
  boolean: "BOOLEAN",
  double: "DOUBLE",
  float: "FLOAT",
  date: "DATE",
  timestamp: "TIMESTAMPTZ",
  string: "VARCHAR",
};

/** A stream's bronze columns: source columns with their bronze types. */
export type BronzeSchema = { name: string; type: string }[];

/**
 * An in-process stand-in for the medallion template's bronze layer: DuckDB tables
 * `bronze_<stream>` with the source's columns in their bronze types plus `_ingested_at`,
 * `_cursor` and `_run_id`, filled incrementally from a Postgres source, and the views
 * `current_<stream>` over them. Silver and gold models become tables `silver_<name>` and
 * `gold_<name>`, so model SQL runs exactly as the template would run it.
 */
export interface BronzeCopy {
  readonly engine: DuckDbEngine;
  /** Each stream's bronze columns (source columns only). */
  readonly schemas: ReadonlyMap<string, BronzeSchema>;
  /**
   * Appends every row changed since the previous ingest, as the template's ingest does;
   * returns the rows appended per stream.
   */
  ingest(runId: string, ingestedAt: string): Promise<Record<string, number>>;
  /** Runs checks; returns the violating rows per check name (failed checks only). */
  failedChecks(checks: readonly MedallionCheck[]): Promise<Record<string, SqlRows>>;
  /** (Re)creates `<layer>_<name>` tables from the models, in order. */
  build(layer: "silver" | "gold", models: readonly MedallionModel[]): Promise<void>;
  /** Runs a query on the copy. */
  rows(sql: string): Promise<SqlRows>;
  close(): Promise<void>;
}

type SqlRows = Record<string, unknown>[];

/**
 * Creates the bronze tables and current views of `streams`, typed from the source's
 * schema, empty until the first {@link BronzeCopy.ingest}.
 */
export async function createBronzeCopy(
  engine: DuckDbEngine,
  source: PostgresSource,
  streams: readonly MedallionStream[],
): Promise<BronzeCopy> {
  const dir = await mkdtemp(join(tmpdir(), "odoo-bronze-"));
  const schemas = new Map<string, BronzeSchema>();
  const cursors = new Map<string, WriteDateIdCursor | undefined>();
  for (const stream of streams) {
    const snapshot = await source.schema(stream.name);
    const columns = snapshot.columns.map((column) => ({
      name: column.name,
      type: BRONZE_TYPE[column.dataType] ?? "string",
    }));
    schemas.set(stream.name, columns);
    const ddl = [
      ...columns.map((c) => `"${c.name}" ${DUCKDB_TYPE[c.type]}`),
      "_ingested_at TIMESTAMPTZ NOT NULL",
      "_cursor VARCHAR NOT NULL",
      "_run_id VARCHAR NOT NULL",
    ];
    const names = columns.map((c) => `"${c.name}"`).join(", ");
    const order = [...stream.cursorFields, "_ingested_at"].map((f) => `"${f}" DESC`).join(", ");
    const key = stream.primaryKey.map((f) => `"${f}"`).join(", ");
    await engine.execute(`CREATE TABLE bronze_${stream.name} (${ddl.join(", ")})`);
    await engine.execute(
      `CREATE VIEW current_${stream.name} AS SELECT ${names} FROM (SELECT ${names}, row_number() OVER (PARTITION BY ${key} ORDER BY ${order}) AS rank_ FROM bronze_${stream.name}) AS ranked WHERE rank_ = 1`,
    );
  }

  const rows = async (sql: string) => (await engine.query(sql)).rows;
  return {
    engine,
    schemas,
    async ingest(runId, ingestedAt) {
      const appended: Record<string, number> = {};
      for (const stream of streams) {
        const columns = schemas.get(stream.name) ?? [];
        const lines: string[] = [];
        let cursor = cursors.get(stream.name);
        for await (const batch of source.read(stream.name, { after: cursor, batchSize: 2_000 })) {
          for (const row of batch.rows) {
            const out: Record<string, unknown> = {};
            for (const { name } of columns) {
              const value = row[name] ?? null;
              // jsonb arrives parsed; bronze keeps it as JSON text.
              out[name] =
                value !== null && typeof value === "object" ? JSON.stringify(value) : value;
            }
            out._ingested_at = ingestedAt;
            out._cursor = JSON.stringify(stream.cursorFields.map((field) => row[field] ?? null));
            out._run_id = runId;
            lines.push(JSON.stringify(out));
          }
          cursor = batch.cursor;
        }
        cursors.set(stream.name, cursor);
        appended[stream.name] = lines.length;
        if (lines.length === 0) continue;
        const file = join(dir, `${stream.name}-${runId}.ndjson`);
        await writeFile(file, `${lines.join("\n")}\n`);
        const all = [
          ...columns,
          { name: "_ingested_at", type: "timestamp" },
          { name: "_cursor", type: "string" },
          { name: "_run_id", type: "string" },
        ];
        const spec = all.map((c) => `'${c.name}': '${DUCKDB_TYPE[c.type]}'`).join(", ");
        const names = all.map((c) => `"${c.name}"`).join(", ");
        await engine.execute(
          `INSERT INTO bronze_${stream.name} (${names}) SELECT ${names} FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})`,
        );
      }
      return appended;
    },
    async failedChecks(checks) {
      const failed: Record<string, SqlRows> = {};
      for (const check of checks) {
        const found = await rows(`SELECT * FROM (${check.sql}) AS violations`);
        if (found.length > 0) failed[check.name] = found;
      }
      return failed;
    },
    async build(layer, models) {
      for (const model of models) {
        await engine.execute(`CREATE OR REPLACE TABLE ${layer}_${model.name} AS ${model.sql}`);
      }
    },
    rows,
    async close() {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
