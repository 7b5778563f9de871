import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjectStore, TableFormat } from "@controlroom/executor-kit";
import { createMemoryObjectStore } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { createDeltaTableFormat } from "../src/delta/index.js";
import {
  createDuckDbEngine,
  type WriteQueryToTableOptions,
  writeQueryToTable,
} from "../src/duckdb/index.js";
import { createLocalObjectStore, type LocalObjectStore } from "../src/local/index.js";
import { queryRecordingEngine } from "./query-recording-engine.js";

const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };
const engine = createDuckDbEngine({ threads: 2 });
const dirs: string[] = [];
afterAll(async () => {
  await engine.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "controlroom-write-query-"));
  dirs.push(dir);
  return dir;
}

// Rows wide enough that a small targetFileSize cuts them into several files.
const ROWS_SQL =
  "SELECT range AS id, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS label FROM range(60000)";

/** A local store that counts how data files arrive, and can fail the nth file upload. */
function spyStore(local: LocalObjectStore, failOnFile?: number) {
  const calls = { put: 0, putFile: 0 };
  const store: ObjectStore = {
    get: (key, options) => local.get(key, options),
    put: (key, data, options) => {
      calls.put += 1;
      return local.put(key, data, options);
    },
    putIfAbsent: (key, data, options) => local.putIfAbsent(key, data, options),
    putFile: async (key, path, options) => {
      calls.putFile += 1;
      if (calls.putFile === failOnFile) {
        // Half an object would be the store's bug; the writer must not commit either way.
        throw new Error("connection reset during upload");
      }
      return local.putFile(key, path, options);
    },
    putFileIfAbsent: (key, path, options) => local.putFileIfAbsent(key, path, options),
    list: (prefix, options) => local.list(prefix, options),
    delete: (key, options) => local.delete(key, options),
    stat: (key, options) => local.stat(key, options),
    uri: (key) => local.uri(key),
  };
  return { store, calls };
}

async function parquetKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) {
    if (info.key.endsWith(".parquet")) keys.push(info.key);
  }
  return keys;
}

/** An append of `sql` to table `t` of `store`, committed through `format`. */
function appendTo(
  store: ObjectStore,
  format: TableFormat,
  sql: string,
  extra: Partial<WriteQueryToTableOptions> = {},
) {
  return writeQueryToTable(
    engine,
    sql,
    format,
    { location: "t" },
    { store, mode: "append", provenance, ...extra },
  );
}

describe("writeQueryToTable data files", () => {
  it("uploads each file from disk with putFile, in row groups of rowGroupSize rows", async () => {
    const local = createLocalObjectStore({ root: await tempDir() });
    const { store, calls } = spyStore(local);
    const tables = createDeltaTableFormat({ store });
    const result = await appendTo(store, tables, ROWS_SQL, {
      targetFileSize: "1MB",
      rowGroupSize: 4096,
    });
    expect(result.rowCount).toBe(60_000);
    expect(result.files.length).toBeGreaterThan(1);
    expect(calls).toEqual({ put: 0, putFile: result.files.length });
    for (const file of result.files) {
      const path = local.pathOf(`t/${file.path}`);
      const { rows } = await engine.query<{ groups: bigint; most: bigint }>(
        `SELECT count(*) AS groups, max(row_group_num_rows) AS most FROM parquet_metadata('${path}') WHERE column_id = 0`,
      );
      expect(Number(rows[0]?.most)).toBeLessThanOrEqual(4096);
      expect(Number(rows[0]?.groups)).toBeGreaterThan(1);
      expect((await local.stat(`t/${file.path}`))?.size).toBe(file.sizeBytes);
    }
    const { rows } = await engine.query<{ n: bigint; ids: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet([${result.files
        .map((file) => `'${local.pathOf(`t/${file.path}`)}'`)
        .join(", ")}])`,
    );
    expect(rows).toEqual([{ n: 60_000n, ids: 60_000n }]);
  });

  it("commits nothing and leaves no data files when an upload fails half-way", async () => {
    const local = createLocalObjectStore({ root: await tempDir() });
    const { store, calls } = spyStore(local, 2);
    const tables = createDeltaTableFormat({ store });
    await expect(appendTo(store, tables, ROWS_SQL, { targetFileSize: "1MB" })).rejects.toThrow(
      /connection reset/,
    );
    expect(calls.putFile).toBe(2);
    expect(await tables.snapshot({ location: "t" })).toBeUndefined();
    expect(await parquetKeys(store, "t/")).toEqual([]);
    // Nor half-written temporary files beside them (empty directories are no objects).
    const entries = await readdir(local.root, { recursive: true, withFileTypes: true });
    expect(entries.filter((entry) => entry.isFile())).toEqual([]);
  });

  it("falls back to put for stores without putFile", async () => {
    const store = createMemoryObjectStore();
    const tables = createDeltaTableFormat({ store });
    const result = await appendTo(store, tables, ROWS_SQL, { targetFileSize: "1MB" });
    expect(result.rowCount).toBe(60_000);
    const keys = await parquetKeys(store, "t/");
    expect(keys).toHaveLength(result.files.length);
    for (const file of result.files) {
      expect((await store.stat(`t/${file.path}`))?.size).toBe(file.sizeBytes);
    }
  });

  it("refuses a row group size that is not a positive integer", async () => {
    const store = createMemoryObjectStore();
    const tables = createDeltaTableFormat({ store });
    await expect(appendTo(store, tables, "SELECT 1 AS id", { rowGroupSize: 0 })).rejects.toThrow(
      /rowGroupSize must be a positive integer/,
    );
  });

  it("reports the table's error before the query's", async () => {
    const store = createMemoryObjectStore();
    const tables = createDeltaTableFormat({ store });
    const broken = {
      ...tables,
      snapshot: () => Promise.reject(new Error("the log is unreadable")),
    };
    const write = (format: TableFormat, sql: string) => appendTo(store, format, sql);
    await expect(write(broken, "SELECT * FROM no_such_table")).rejects.toThrow(
      "the log is unreadable",
    );
    await expect(write(tables, "SELECT * FROM no_such_table")).rejects.toThrow(/no_such_table/);
    expect((await write(tables, "SELECT 1 AS id")).rowCount).toBe(1);
    // Into the table that now exists, the copy starts without describing the query:
    // the query's error is still the one reported, and nothing is committed.
    await expect(write(tables, "SELECT * FROM no_such_table")).rejects.toThrow(/no_such_table/);
    expect((await tables.snapshot({ location: "t" }))?.version).toBe(0);
  });

  it("writes into an existing table by the query's columns, whatever their case or number", async () => {
    const local = createLocalObjectStore({ root: await tempDir() });
    const tables = createDeltaTableFormat({ store: local });
    await appendTo(local, tables, "SELECT 1::BIGINT AS id, 'a' AS note");
    // Named in upper case and without `note`: not the columns the copy first assumes.
    const written = await appendTo(local, tables, "SELECT 2 AS ID");
    expect(written).toMatchObject({ version: 1, rowCount: 1 });
    expect(written.files).toHaveLength(1);
    // Only the files of the copy that was committed reached the table, with the size
    // and row count its COPY reported.
    expect(await parquetKeys(local, "t/")).toHaveLength(2);
    const [file] = written.files;
    expect(file?.recordCount).toBe(1);
    expect(file?.sizeBytes).toBe((await local.stat(`t/${file?.path}`))?.size);
    const files = (await parquetKeys(local, "t/")).map(
      (key) => `'${fileURLToPath(local.uri(key))}'`,
    );
    const { rows } = await engine.query(
      `SELECT id, note FROM read_parquet([${files.join(", ")}], union_by_name = true) ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1n, note: "a" },
      { id: 2n, note: null },
    ]);
  });

  it("binds a query that has the table's columns once, with no DESCRIBE", async () => {
    const local = createLocalObjectStore({ root: await tempDir() });
    const tables = createDeltaTableFormat({ store: local });
    const { engine: watching, queries: statements } = queryRecordingEngine(engine);
    const write = (sql: string) =>
      writeQueryToTable(
        watching,
        sql,
        tables,
        { location: "t" },
        { store: local, mode: "append", provenance },
      );
    await write("SELECT 1::BIGINT AS id, 'a' AS note");
    statements.length = 0;
    // The table's columns in another order and case.
    expect((await write("SELECT 'b' AS NOTE, 2 AS id")).rowCount).toBe(1);
    expect(statements.filter((sql) => sql.startsWith("DESCRIBE"))).toEqual([]);
    expect(statements.filter((sql) => sql.startsWith("COPY"))).toHaveLength(1);
    expect(await readTable(local)).toEqual([
      { id: 1n, note: "a" },
      { id: 2n, note: "b" },
    ]);
  });

  it("refuses a query with a column the table lacks, and commits nothing", async () => {
    for (const partitionColumns of [[], ["day"]]) {
      const local = createLocalObjectStore({ root: await tempDir() });
      const tables = createDeltaTableFormat({ store: local });
      const write = (sql: string) => appendTo(local, tables, sql, { partitionColumns });
      await write("SELECT 1::BIGINT AS id, DATE '2024-01-01' AS day");
      const before = await parquetKeys(local, "t/");
      // With rows, and with none (the writer still reports the file's columns).
      for (const where of ["", " WHERE false"]) {
        await expect(
          write(`SELECT 2 AS id, DATE '2024-01-02' AS day, 'x' AS extra, 3 AS "we""ird"${where}`),
          `partitioned by [${partitionColumns}]${where}`,
        ).rejects.toThrow('the query has columns the table lacks: extra, we"ird');
      }
      expect((await tables.snapshot({ location: "t" }))?.version).toBe(0);
      expect(await parquetKeys(local, "t/")).toEqual(before);
    }
  });
});

/** Every row of table `t` of `store`, ordered by id. */
async function readTable(store: LocalObjectStore): Promise<Record<string, unknown>[]> {
  const files = (await parquetKeys(store, "t/")).map((key) => `'${fileURLToPath(store.uri(key))}'`);
  const { rows } = await engine.query(
    `SELECT * FROM read_parquet([${files.join(", ")}], union_by_name = true) ORDER BY id`,
  );
  return rows;
}
