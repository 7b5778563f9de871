import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDeltaTable } from "@controlroom/adapters/delta";
import { createDuckDbEngine, duckDbRowSetHash } from "@controlroom/adapters/duckdb";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { BRONZE_AUDIT_COLUMNS } from "@controlroom/executor-kit/medallion";
import { ODOO_GOLD } from "@controlroom/odoo-medallion";
import { DuckDBInstance } from "@duckdb/node-api";
import type { GoldRunResult, GoldTableResult } from "./gold-framework.js";
import type { SilverOutput } from "./odoo-demo-lake.js";

/**
 * Runs every gold model's SQL (ODOO_GOLD) directly in a fresh in-process DuckDB over the
 * silver tables' Parquet files, one `read_parquet` view per table as the framework's
 * session makes, and writes each result to a Parquet file, as the framework writes each
 * gold table. Timed from creating the DuckDB instance to the last file written.
 *
 * With `verify`, it then fingerprints each result the way the lakehouse's
 * `contentHash()` does (`duckDbRowSetHash` of `@controlroom/adapters/duckdb`: format
 * v2, DuckDB's `hash()` of each row, the column names and types), after the clock has
 * stopped, so that the caller can check both sides wrote the same rows.
 */
export async function runGoldInPlainDuckDb(args: {
  lakeDir: string;
  silver: SilverOutput;
  verify?: boolean;
}): Promise<GoldRunResult> {
  const out = await mkdtemp(join(tmpdir(), "controlroom-bench-gold-"));
  try {
    const views = await silverFiles(args.lakeDir, args.silver);
    const started = performance.now();
    const instance = await DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    try {
      const connection = await instance.connect();
      for (const [view, files] of views) {
        const list = files.map(sqlString).join(", ");
        await connection.run(
          `CREATE VIEW ${view} AS SELECT * FROM read_parquet([${list}], union_by_name = true)`,
        );
      }
      for (const model of ODOO_GOLD) {
        const target = sqlString(join(out, `${model.name}.parquet`));
        await connection.run(`COPY (${model.sql}) TO ${target} (FORMAT parquet)`);
      }
      connection.closeSync();
    } finally {
      instance.closeSync();
    }
    const ms = performance.now() - started;
    return { ms, tables: args.verify ? await fingerprint(out) : {} };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * The live data files of each silver table at the version the gold phase reads, as
 * `silver_<name>` → absolute paths. Read before the clock starts: a user of plain
 * DuckDB would point it at files they already know.
 */
async function silverFiles(lakeDir: string, silver: SilverOutput): Promise<[string, string[]][]> {
  const store = createLocalObjectStore({ root: lakeDir });
  const views: [string, string[]][] = [];
  for (const [name, ref] of Object.entries(silver.tables)) {
    const table = openDeltaTable({ store, location: ref.location });
    try {
      const snapshot = await table.snapshot({ version: ref.version });
      views.push([
        `silver_${name}`,
        snapshot.files.map((file) => join(lakeDir, ref.location, file.path)),
      ]);
    } finally {
      await table.close();
    }
  }
  return views;
}

async function fingerprint(dir: string): Promise<Record<string, GoldTableResult>> {
  const engine = createDuckDbEngine({});
  try {
    const tables: Record<string, GoldTableResult> = {};
    for (const model of ODOO_GOLD) {
      const file = `read_parquet(${sqlString(join(dir, `${model.name}.parquet`))})`;
      const { columns } = await engine.query(`SELECT * FROM ${file} LIMIT 0`);
      // The fingerprint the framework records (format v2, DuckDB's hash() per row), with
      // the same columns left out.
      const digest = await duckDbRowSetHash(
        engine,
        file,
        columns.map((column) => column.name),
        { exclude: BRONZE_AUDIT_COLUMNS },
      );
      tables[model.name] = {
        rows: digest.rowCount,
        sha256: digest.sha256,
        hashFormat: digest.format,
      };
    }
    return tables;
  } finally {
    await engine.close();
  }
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
