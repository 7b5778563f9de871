import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, TableFormat } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { createDeltaTableFormat, openDeltaTable } from "../src/delta/index.js";
import { createDuckDbEngine, registerTableView, writeQueryToTable } from "../src/duckdb/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { s3TestServer, testS3Store } from "./s3-test-server.js";

const FIXTURES = join(import.meta.dirname, "../../../../shared/fixtures/delta/dat-v0.0.2");
const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };
const engine = createDuckDbEngine({ threads: 2 });
const dirs: string[] = [];
afterAll(async () => {
  await engine.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "controlroom-duckdb-view-"));
  dirs.push(dir);
  return dir;
}

async function viewRows(
  tables: TableFormat,
  store: ObjectStore,
  location: string,
  sql: string,
  version?: number,
) {
  const snapshot = await tables.snapshot({ location }, { version });
  if (snapshot === undefined) throw new Error(`no table at ${location}`);
  const view = await registerTableView(engine, "t", snapshot, { store, location });
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await view.dispose();
  }
}

describe("registerTableView", () => {
  it("exposes a Delta fixture table (two versions) as a view", async () => {
    const store = createLocalObjectStore({ root: join(FIXTURES, "basic_append") });
    const tables = createDeltaTableFormat({ store });
    const latest = await viewRows(tables, store, "delta", "SELECT * FROM t ORDER BY number");
    expect(latest).toEqual([
      { letter: "a", number: 1n, a_float: 1.1 },
      { letter: "b", number: 2n, a_float: 2.2 },
      { letter: "c", number: 3n, a_float: 3.3 },
      { letter: "d", number: 4n, a_float: 4.4 },
      { letter: "e", number: 5n, a_float: 5.5 },
    ]);
    const first = await viewRows(tables, store, "delta", "SELECT count(*) AS n FROM t", 0);
    expect(first).toEqual([{ n: 3n }]);
    // dispose() dropped the view.
    await expect(engine.query("SELECT * FROM t")).rejects.toThrow(/t/);
  });

  it("adds partition columns as typed constants", async () => {
    const root = await tempDir();
    await cp(join(FIXTURES, "multi_partitioned/delta"), join(root, "mp"), { recursive: true });
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store });
    const snapshot = await tables.snapshot({ location: "mp" });
    expect(snapshot?.partitionColumns.length).toBeGreaterThan(0);
    const view = await registerTableView(engine, "mp", snapshot!, { store, location: "mp" });
    try {
      const { rows, columns } = await engine.query("SELECT * FROM mp");
      expect(columns.map((c) => c.name)).toEqual(snapshot?.schema.fields.map((f) => f.name));
      // Same rows as the Delta reader's own scan.
      const table = openDeltaTable({ store, location: "mp" });
      const expected = await table.readRows();
      await table.close();
      const key = (row: Record<string, unknown>) =>
        JSON.stringify(row, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
      expect(rows.map(key).sort()).toEqual(expected.rows.map(key).sort());
    } finally {
      await view.dispose();
    }
  });
});

describe("writeQueryToTable", () => {
  it("creates, appends and overwrites a Delta table, with provenance", async () => {
    const store = createLocalObjectStore({ root: await tempDir() });
    const tables = createDeltaTableFormat({ store });
    const table = { location: "gold/totals" };
    const created = await writeQueryToTable(
      engine,
      "SELECT range AS id, CAST(range * 1.5 AS DECIMAL(10,2)) AS amount, 'n' || range AS label FROM range(3)",
      tables,
      table,
      { store, mode: "append", provenance },
    );
    expect(created).toMatchObject({ version: 0, rowCount: 3 });
    const snapshot = await tables.snapshot(table);
    expect(snapshot?.schema.fields).toEqual([
      { name: "id", type: "long", nullable: true },
      { name: "amount", type: "decimal(10,2)", nullable: true },
      { name: "label", type: "string", nullable: true },
    ]);

    // Columns are matched by name and cast to the table's types.
    const appended = await writeQueryToTable(
      engine,
      "SELECT 'extra' AS label, CAST($1 AS INTEGER) AS id, 9.99 AS amount",
      tables,
      table,
      { store, mode: "append", provenance: { ...provenance, attempt: 2 }, params: [10] },
    );
    expect(appended).toMatchObject({ version: 1, rowCount: 1 });
    expect(
      await viewRows(tables, store, table.location, "SELECT id, amount, label FROM t ORDER BY id"),
    ).toEqual([
      { id: 0n, amount: 0, label: "n0" },
      { id: 1n, amount: 1.5, label: "n1" },
      { id: 2n, amount: 3, label: "n2" },
      { id: 10n, amount: 9.99, label: "extra" },
    ]);

    const overwritten = await writeQueryToTable(
      engine,
      "SELECT 100 AS id, 1 AS amount, 'only' AS label",
      tables,
      table,
      { store, mode: "overwrite", provenance },
    );
    expect(overwritten.version).toBe(2);
    expect(await viewRows(tables, store, table.location, "SELECT * FROM t")).toEqual([
      { id: 100n, amount: 1, label: "only" },
    ]);
    const history = await tables.history(table);
    expect(history.map((entry) => entry.version)).toEqual([2, 1, 0]);
    expect(history[1]?.provenance).toMatchObject({ run_id: "run_test", attempt: 2 });

    await expect(
      writeQueryToTable(engine, "SELECT 1 AS id, 'x' AS surprise", tables, table, {
        store,
        mode: "append",
        provenance,
      }),
    ).rejects.toThrow(/surprise/);
  });

  it("reads a column no file has as NULL, and columns whose case differs by name", async () => {
    const root = await tempDir();
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store });
    const table = { location: "silver/notes" };
    await writeQueryToTable(engine, "SELECT range AS id FROM range(2)", tables, table, {
      store,
      mode: "append",
      provenance,
    });
    // The schema gains a column that the file written before lacks.
    await tables.commit(table, {
      operation: "append",
      add: [],
      schema: {
        fields: [
          { name: "id", type: "long", nullable: true },
          { name: "note", type: "string", nullable: true },
        ],
      },
      provenance,
    });
    const read = () => viewRows(tables, store, table.location, "SELECT * FROM t ORDER BY id");
    expect(await read()).toEqual([
      { id: 0n, note: null },
      { id: 1n, note: null },
    ]);
    // A file with the column, and one naming both columns in upper case (as Spark may).
    await writeQueryToTable(engine, "SELECT 5 AS id, 'x' AS note", tables, table, {
      store,
      mode: "append",
      provenance,
    });
    const upper = join(root, table.location, "part-upper.parquet");
    await engine.execute(
      `COPY (SELECT 7::BIGINT AS "ID", 'y' AS "NOTE") TO '${upper}' (FORMAT parquet)`,
    );
    await tables.commit(table, {
      operation: "append",
      add: [{ path: "part-upper.parquet", sizeBytes: 1, recordCount: 1 }],
      provenance,
    });
    expect(await read()).toEqual([
      { id: 0n, note: null },
      { id: 1n, note: null },
      { id: 5n, note: "x" },
      { id: 7n, note: "y" },
    ]);
  });

  it("writes one set of files per partition value, nulls included", async () => {
    const store = createLocalObjectStore({ root: await tempDir() });
    const tables = createDeltaTableFormat({ store });
    const table = { location: "silver/events" };
    const result = await writeQueryToTable(
      engine,
      `SELECT * FROM (VALUES
         (1, DATE '2024-01-01', 'eu'), (2, DATE '2024-01-01', 'us'),
         (3, DATE '2024-01-02', 'eu'), (4, NULL, 'eu')) AS v(id, day, region)`,
      tables,
      table,
      { store, mode: "append", provenance, partitionColumns: ["day", "region"] },
    );
    expect(result.rowCount).toBe(4);
    expect(result.files.map((file) => file.partitionValues)).toEqual(
      expect.arrayContaining([
        { day: "2024-01-01", region: "eu" },
        { day: "2024-01-01", region: "us" },
        { day: "2024-01-02", region: "eu" },
        { day: null, region: "eu" },
      ]),
    );
    const rows = await viewRows(tables, store, table.location, "SELECT * FROM t ORDER BY id");
    expect(rows).toEqual([
      { id: 1, day: new Date("2024-01-01T00:00:00Z"), region: "eu" },
      { id: 2, day: new Date("2024-01-01T00:00:00Z"), region: "us" },
      { id: 3, day: new Date("2024-01-02T00:00:00Z"), region: "eu" },
      { id: 4, day: null, region: "eu" },
    ]);
    // The Delta reader agrees.
    const delta = openDeltaTable({ store, location: table.location });
    expect((await delta.readRows()).rows).toHaveLength(4);
    await delta.close();
    await expect(
      writeQueryToTable(engine, "SELECT 1 AS id", tables, table, {
        store,
        mode: "append",
        provenance,
        partitionColumns: ["id"],
      }),
    ).rejects.toThrow(/partitioned by \[day, region\]/);
  });

  const server = s3TestServer();
  it.skipIf(server === undefined)("writes to and reads from a table in S3", async () => {
    const store = testS3Store(server!);
    const tables = createDeltaTableFormat({ store });
    const table = { location: "lake/orders" };
    await writeQueryToTable(
      engine,
      "SELECT range AS id, TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_hours(range) AS at FROM range(1000)",
      tables,
      table,
      { store, mode: "append", provenance },
    );
    await writeQueryToTable(engine, "SELECT 1000 AS id, NULL AS at", tables, table, {
      store,
      mode: "append",
      provenance,
    });
    const keys: string[] = [];
    for await (const info of store.list("lake/orders/")) keys.push(info.key);
    expect(keys.filter((key) => key.endsWith(".parquet"))).toHaveLength(2);
    expect(keys).toContain("lake/orders/_delta_log/00000000000000000001.json");
    expect(
      await viewRows(
        tables,
        store,
        table.location,
        `SELECT count(*) AS n, max("at") AS last, count("at") AS with_at FROM t`,
      ),
    ).toEqual([{ n: 1001n, last: new Date("2024-04-11T15:00:00Z"), with_at: 1000n }]);
    await store.close();
  });
});
