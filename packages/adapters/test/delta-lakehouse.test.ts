import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  Lakehouse,
  LakehouseSession,
  ObjectStore,
  SqlRow,
  TableSchema,
} from "@controlroom/executor-kit";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  createDeltaLakehouse,
  type DeltaLakehouse,
  isAdapterError,
  LakehouseError,
  openDeltaTable,
} from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { s3TestServer, testS3Store } from "./s3-test-server.js";

const provenance = { run_id: "run_test", phase: "ingest", git_sha: "0123abc" };
const dirs: string[] = [];
const lakes: DeltaLakehouse[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const lake of lakes.splice(0)) await lake.close();
});

async function tempDir(prefix = "controlroom-lakehouse-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A lakehouse on a fresh local directory, with a scratch directory the test can inspect. */
async function openLake(store?: ObjectStore): Promise<{ lake: DeltaLakehouse; scratch: string }> {
  const scratch = await tempDir("controlroom-lakehouse-scratch-");
  const lake = createDeltaLakehouse({
    store: store ?? createLocalObjectStore({ root: await tempDir() }),
    engine: { threads: 2 },
    tempDirectory: scratch,
  });
  lakes.push(lake);
  return { lake, scratch };
}

async function* batchesOf(...batches: SqlRow[][]): AsyncGenerator<SqlRow[]> {
  for (const batch of batches) yield batch;
}

async function rowsOf(lake: Lakehouse, location: string, sql: string, version?: number) {
  return lake.session({ t: { location, version } }, async ({ engine }) => {
    return (await engine.query(sql)).rows;
  });
}

async function caught(promise: Promise<unknown>): Promise<LakehouseError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LakehouseError);
  expect(isAdapterError(error)).toBe(true);
  return error as LakehouseError;
}

const INVOICE: TableSchema = {
  fields: [
    { name: "id", type: "integer", nullable: false },
    { name: "big", type: "long", nullable: true },
    { name: "amount", type: "string", nullable: true },
    { name: "total", type: "decimal(20,2)", nullable: true },
    { name: "data", type: "string", nullable: true },
    { name: "paid", type: "boolean", nullable: true },
    { name: "rate", type: "double", nullable: true },
    { name: "small", type: "short", nullable: true },
    { name: "due", type: "date", nullable: true },
    { name: "write_date", type: "timestamp", nullable: false },
    { name: "blob", type: "binary", nullable: true },
  ],
};

// What each row reads back as, timestamps with microseconds.
const READ_BACK = `SELECT id, big, amount, CAST(total AS VARCHAR) AS total, data, paid, rate, small,
  CAST(due AS VARCHAR) AS due, strftime(write_date, '%Y-%m-%dT%H:%M:%S.%fZ') AS write_date,
  hex(blob) AS blob FROM t ORDER BY id`;

describe("createDeltaLakehouse", () => {
  it("appends rows, creating the table with exactly the given schema (versions 0, 1)", async () => {
    const { lake, scratch } = await openLake();
    const first = await lake.appendRows(
      "bronze/invoice",
      batchesOf(
        [
          {
            id: 1,
            big: "9007199254740993",
            amount: "1234.5600",
            total: "12345678901234567.89",
            data: { b: [1, 2], a: "x" },
            paid: true,
            rate: 0.1,
            small: 7,
            due: "2026-02-01",
            write_date: "2026-01-31T12:00:00.123456Z",
            blob: new Uint8Array([0, 1, 255]),
            ignored: "not in the schema",
          },
        ],
        [],
        [
          {
            id: 2,
            big: 42n,
            amount: 17,
            total: 3.5,
            data: [1, "two"],
            paid: null,
            rate: Number.NaN,
            small: null,
            due: new Date("2026-03-04T00:00:00Z"),
            write_date: new Date("2026-01-31T13:00:00.5Z"),
          },
        ],
      ),
      { schema: INVOICE, provenance: { ...provenance, source_cursor: { id: 2 } } },
    );
    expect(first).toEqual({ location: "bronze/invoice", version: 0, rowCount: 2 });
    const snapshot = await lake.snapshot({ location: "bronze/invoice" });
    expect(snapshot?.schema.fields).toEqual(INVOICE.fields);

    const second = await lake.appendRows(
      "bronze/invoice",
      batchesOf([{ id: 3, write_date: "2026-02-01 00:00:00", big: -1 }]),
      { schema: INVOICE, provenance: { ...provenance, attempt: 2 } },
    );
    expect(second).toEqual({ location: "bronze/invoice", version: 1, rowCount: 1 });

    const rows = await rowsOf(lake, "bronze/invoice", READ_BACK);
    expect(rows).toEqual([
      {
        id: 1,
        big: 9007199254740993n,
        amount: "1234.5600",
        total: "12345678901234567.89",
        data: '{"b":[1,2],"a":"x"}',
        paid: true,
        rate: 0.1,
        small: 7,
        due: "2026-02-01",
        write_date: "2026-01-31T12:00:00.123456Z",
        blob: "0001FF",
      },
      {
        id: 2,
        big: 42n,
        amount: "17",
        total: "3.50",
        data: '[1,"two"]',
        paid: null,
        rate: Number.NaN,
        small: null,
        due: "2026-03-04",
        write_date: "2026-01-31T13:00:00.500000Z",
        blob: null,
      },
      {
        id: 3,
        big: -1n,
        amount: null,
        total: null,
        data: null,
        paid: null,
        rate: null,
        small: null,
        due: null,
        write_date: "2026-02-01T00:00:00.000000Z",
        blob: null,
      },
    ]);
    const history = await lake.history("bronze/invoice");
    expect(history.map((entry) => entry.version)).toEqual([1, 0]);
    expect(history[1]?.provenance).toMatchObject({ run_id: "run_test", source_cursor: { id: 2 } });
    expect(history[0]?.provenance).toMatchObject({ attempt: 2 });
    expect(await lake.history("bronze/invoice", { limit: 1 })).toHaveLength(1);
    expect(lake.uri("bronze/invoice")).toMatch(/^file:\/\/.*\/bronze\/invoice$/);
    expect(lake.format).toBe("delta");
    expect(lake.dialect).toBe("duckdb");
    // Other Delta readers see the same table.
    const table = openDeltaTable({ store: storeOf(lake), location: "bronze/invoice" });
    expect((await table.readRows()).rows).toHaveLength(3);
    await table.close();
    expect(await readdir(scratch)).toEqual([]);
  });

  it("commits nothing when there are no rows", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
    expect(await lake.appendRows("t", batchesOf(), { schema, provenance })).toEqual({
      location: "t",
      version: undefined,
      rowCount: 0,
    });
    expect(await lake.appendRows("t", batchesOf([], []), { schema, provenance })).toMatchObject({
      version: undefined,
    });
    expect(await lake.snapshot({ location: "t" })).toBeUndefined();
    await lake.appendRows("t", batchesOf([{ id: 1 }]), { schema, provenance });
    expect(await lake.appendRows("t", batchesOf([]), { schema, provenance })).toMatchObject({
      version: undefined,
      rowCount: 0,
    });
    expect((await lake.snapshot({ location: "t" }))?.version).toBe(0);
    expect(await readdir(scratch)).toEqual([]);
  });

  it("keeps memory to a batch: many batches land in one commit", async () => {
    const { lake } = await openLake();
    const schema: TableSchema = {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "label", type: "string", nullable: true },
      ],
    };
    let produced = 0;
    async function* many() {
      for (let batch = 0; batch < 20; batch++) {
        yield Array.from({ length: 2_500 }, () => ({ id: produced++, label: `row ${produced}` }));
      }
    }
    const result = await lake.appendRows("big", many(), {
      schema,
      provenance,
      partitionColumns: [],
    });
    expect(result).toMatchObject({ version: 0, rowCount: 50_000 });
    expect(await rowsOf(lake, "big", "SELECT count(DISTINCT id) AS n FROM t")).toEqual([
      { n: 50_000n },
    ]);
    expect((await lake.history("big")).length).toBe(1);
  });

  it("partitions a table the append creates", async () => {
    const { lake } = await openLake();
    const schema: TableSchema = {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "day", type: "date", nullable: true },
      ],
    };
    await lake.appendRows(
      "p",
      batchesOf([
        { id: 1, day: "2026-01-01" },
        { id: 2, day: "2026-01-02" },
        { id: 3, day: null },
      ]),
      { schema, provenance, partitionColumns: ["day"] },
    );
    const snapshot = await lake.snapshot({ location: "p" });
    expect(snapshot?.partitionColumns).toEqual(["day"]);
    expect(snapshot?.files).toHaveLength(3);
    expect(
      await rowsOf(lake, "p", "SELECT id, CAST(day AS VARCHAR) AS day FROM t ORDER BY id"),
    ).toEqual([
      { id: 1n, day: "2026-01-01" },
      { id: 2n, day: "2026-01-02" },
      { id: 3n, day: null },
    ]);
  });

  it("runs sessions over pinned versions, derived views and writes", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "amount", type: "double", nullable: true },
      ],
    };
    await lake.appendRows("silver/orders", batchesOf([{ id: 1, amount: 10 }]), {
      schema,
      provenance,
    });
    await lake.appendRows(
      "silver/orders",
      batchesOf([
        { id: 2, amount: 20 },
        { id: 3, amount: 30 },
      ]),
      { schema, provenance },
    );

    const result = await lake.session(
      {
        old: { location: "silver/orders", version: 0 },
        latest: { location: "silver/orders" },
        // Derived views are created in the given order, after the table views.
        big: { sql: "SELECT * FROM latest WHERE amount > 15;" },
        bigger: { sql: "SELECT * FROM big WHERE amount > 25" },
      },
      async (session) => {
        // A commit during the session does not move its pinned views.
        await lake.appendRows("silver/orders", batchesOf([{ id: 4, amount: 40 }]), {
          schema,
          provenance,
        });
        const count = async (view: string) =>
          (await session.engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${view}`)).rows[0]
            ?.n;
        expect(await count("old")).toBe(1n);
        expect(await count("latest")).toBe(3n);
        expect(await count("big")).toBe(2n);
        expect(await count("bigger")).toBe(1n);

        const created = await session.writeQuery(
          "gold/totals",
          "SELECT count(*) AS orders, sum(amount) AS total FROM latest",
          { mode: "overwrite", provenance: { ...provenance, phase: "gold" } },
        );
        const appended = await session.writeQuery(
          "gold/totals",
          "SELECT count(*) AS orders, sum(amount) AS total FROM old",
          { mode: "append", provenance: { ...provenance, phase: "gold" } },
        );
        const replaced = await session.writeQuery(
          "gold/totals",
          "SELECT count(*) AS orders, sum(amount) AS total FROM bigger",
          { mode: "overwrite", provenance: { ...provenance, phase: "gold" } },
        );
        return { created, appended, replaced };
      },
    );
    expect(result).toEqual({
      created: { location: "gold/totals", version: 0, rowCount: 1 },
      appended: { location: "gold/totals", version: 1, rowCount: 1 },
      replaced: { location: "gold/totals", version: 2, rowCount: 1 },
    });
    expect(await rowsOf(lake, "gold/totals", "SELECT * FROM t", 1)).toEqual([
      { orders: 3n, total: 60 },
      { orders: 1n, total: 10 },
    ]);
    expect(await rowsOf(lake, "gold/totals", "SELECT * FROM t")).toEqual([
      { orders: 1n, total: 30 },
    ]);
    expect(await rowsOf(lake, "silver/orders", "SELECT count(*) AS n FROM t")).toEqual([{ n: 4n }]);
    const [latest] = await lake.history("gold/totals", { limit: 1 });
    expect(latest?.provenance?.phase).toBe("gold");
    expect(await readdir(scratch)).toEqual([]);
  });

  it("isolates concurrent sessions that use the same view names", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
    await lake.appendRows("t", batchesOf([{ id: 1 }]), { schema, provenance });
    await lake.appendRows("t", batchesOf([{ id: 2 }, { id: 3 }]), { schema, provenance });

    // Both sessions are open at once: each waits for the other before querying.
    let arrive: () => void = () => undefined;
    const bothOpen = new Promise<void>((resolve) => {
      let open = 0;
      arrive = () => {
        open += 1;
        if (open === 2) resolve();
      };
    });
    const countAt = (version: number) =>
      lake.session(
        {
          v: { location: "t", version },
          doubled: { sql: "SELECT id * 2 AS id FROM v" },
        },
        async ({ engine }) => {
          arrive();
          await bothOpen;
          const { rows } = await engine.query<{ n: bigint; s: bigint }>(
            "SELECT count(*) AS n, sum(id) AS s FROM doubled",
          );
          return rows[0];
        },
      );
    const [at0, at1] = await Promise.all([countAt(0), countAt(1)]);
    expect(at0).toEqual({ n: 1n, s: 2n });
    expect(at1).toEqual({ n: 3n, s: 12n });
    expect(await readdir(scratch)).toEqual([]);
  });

  it("closes the session's engine and scratch space even when the work fails", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
    await lake.appendRows("t", batchesOf([{ id: 1 }]), { schema, provenance });
    let kept: LakehouseSession | undefined;
    await expect(
      lake.session({ t: { location: "t" } }, async (session) => {
        kept = session;
        throw new Error("work failed");
      }),
    ).rejects.toThrow("work failed");
    // The engine is closed: its views cannot be used after the session.
    await expect(kept?.engine.query("SELECT * FROM t")).rejects.toMatchObject({
      code: "DUCKDB_CLOSED",
    });
    expect(await readdir(scratch)).toEqual([]);
  });

  it("hashes a version's rows whatever the files, commits and order", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "name", type: "string", nullable: true },
        { name: "amount", type: "decimal(12,2)", nullable: true },
        { name: "at", type: "timestamp", nullable: true },
        { name: "_ingested_at", type: "timestamp", nullable: false },
      ],
    };
    const rows = Array.from({ length: 50 }, (_, i) => ({
      id: i,
      name: i % 7 === 0 ? null : `name ${i}`,
      amount: `${i}.25`,
      at: new Date(Date.UTC(2026, 0, 1, 0, i)),
      _ingested_at: new Date("2026-02-01T00:00:00Z"),
    }));
    // One commit of one file.
    await lake.appendRows("one", batchesOf(rows), { schema, provenance });
    // Three commits, reversed order, another ingest time.
    const reversed = rows
      .map((row) => ({ ...row, _ingested_at: new Date("2026-03-01T00:00:00Z") }))
      .reverse();
    for (const part of [reversed.slice(0, 10), reversed.slice(10, 30), reversed.slice(30)]) {
      await lake.appendRows("three", batchesOf(part), { schema, provenance });
    }
    // Written by a query, in a third order.
    await lake.session({ src: { location: "one" } }, (session) =>
      session.writeQuery("query", "SELECT * FROM src ORDER BY name DESC NULLS FIRST", {
        mode: "overwrite",
        provenance,
      }),
    );

    const exclude = { excludeColumns: ["_ingested_at"] };
    const one = await lake.contentHash({ location: "one" }, exclude);
    expect(one).toMatchObject({ rowCount: 50, version: 0 });
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await lake.contentHash({ location: "three" }, exclude)).toEqual({
      ...one,
      version: 2,
    });
    expect(await lake.contentHash({ location: "query" }, exclude)).toEqual(one);
    // Earlier versions hash their own rows.
    expect((await lake.contentHash({ location: "three", version: 0 }, exclude)).rowCount).toBe(10);
    // Audit columns count unless excluded.
    expect((await lake.contentHash({ location: "three" })).sha256).not.toBe(
      (await lake.contentHash({ location: "one" })).sha256,
    );
    // Excluding a column the table lacks changes nothing; excluding all keeps the count.
    expect(
      await lake.contentHash(
        { location: "one" },
        { excludeColumns: ["_ingested_at", "no_such_column"] },
      ),
    ).toEqual(one);
    const none = await lake.contentHash(
      { location: "one" },
      { excludeColumns: schema.fields.map((field) => field.name) },
    );
    expect(none.rowCount).toBe(50);

    // One changed value changes the hash.
    const changed = rows.map((row) => (row.id === 17 ? { ...row, amount: "17.26" } : row));
    await lake.appendRows("changed", batchesOf(changed), { schema, provenance });
    const other = await lake.contentHash({ location: "changed" }, exclude);
    expect(other.rowCount).toBe(50);
    expect(other.sha256).not.toBe(one.sha256);
    expect(await readdir(scratch)).toEqual([]);
  });

  it("throws typed errors naming the table and column", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "note", type: "string", nullable: true },
      ],
    };
    const missingView = await caught(
      lake.session({ orders: { location: "silver/missing" } }, async () => "never"),
    );
    expect(missingView.code).toBe("LAKEHOUSE_TABLE_NOT_FOUND");
    expect(missingView.location).toBe("silver/missing");
    expect(missingView.message).toMatch(/silver\/missing.*orders/);
    expect((await caught(lake.contentHash({ location: "nope" }))).code).toBe(
      "LAKEHOUSE_TABLE_NOT_FOUND",
    );
    expect((await caught(lake.history("nope"))).code).toBe("LAKEHOUSE_TABLE_NOT_FOUND");

    await lake.appendRows("t", batchesOf([{ id: 1 }]), { schema, provenance });
    const noVersion = await caught(lake.contentHash({ location: "t", version: 5 }));
    expect(noVersion.code).toBe("LAKEHOUSE_VERSION_NOT_FOUND");
    expect(noVersion.message).toMatch(/t .*version 5/);
    expect((await caught(lake.snapshot({ location: "t", version: 5 }))).code).toBe(
      "LAKEHOUSE_VERSION_NOT_FOUND",
    );

    // Unsupported types fail before a single row is read.
    let started = false;
    async function* untouched() {
      started = true;
      yield [{ id: 1 }];
    }
    for (const type of ["array<string>", "timestamp_ntz", "struct<a:long>", "decimal(40,2)"]) {
      const unsupported = await caught(
        lake.appendRows("u", untouched(), {
          schema: { fields: [{ name: "odd", type, nullable: true }] },
          provenance,
        }),
      );
      expect(unsupported.code).toBe("LAKEHOUSE_UNSUPPORTED_TYPE");
      expect(unsupported.column).toBe("odd");
      expect(unsupported.message).toContain(`"odd" has the type ${type}`);
    }
    expect(started).toBe(false);

    const text = await caught(
      lake.appendRows("t", batchesOf([{ id: 2 }, { id: "two" }]), { schema, provenance }),
    );
    expect(text).toMatchObject({ code: "LAKEHOUSE_INVALID_VALUE", column: "id", location: "t" });
    expect(text.message).toContain('column "id" (long) of row 1: "two" is not an integer');
    const missing = await caught(
      lake.appendRows("t", batchesOf([{ note: "no id" }]), { schema, provenance }),
    );
    expect(missing.message).toMatch(/"id".*not nullable/);
    const tooBig = await caught(
      lake.appendRows("d", batchesOf([{ x: "12345.6" }]), {
        schema: { fields: [{ name: "x", type: "decimal(5,2)", nullable: true }] },
        provenance,
      }),
    );
    expect(tooBig.message).toMatch(/does not fit decimal\(5,2\)/);
    const badTimestamp = await caught(
      lake.appendRows("ts", batchesOf([{ at: "not a time" }]), {
        schema: { fields: [{ name: "at", type: "timestamp", nullable: true }] },
        provenance,
      }),
    );
    expect(badTimestamp.code).toBe("LAKEHOUSE_INVALID_VALUE");
    expect(await lake.snapshot({ location: "ts" })).toBeUndefined();

    const mismatch = await caught(
      lake.appendRows("t", batchesOf([{ id: 3, extra: 1 }]), {
        schema: {
          fields: [
            { name: "id", type: "integer", nullable: false },
            { name: "extra", type: "long", nullable: true },
          ],
        },
        provenance,
      }),
    );
    expect(mismatch.code).toBe("LAKEHOUSE_SCHEMA_MISMATCH");
    expect(mismatch.message).toContain('"id" is long in the table, integer in the rows');
    expect(mismatch.message).toContain('no column "extra"');

    const view = await caught(
      lake.session({ t: { location: "t" }, broken: { sql: "SELECT nope FROM t" } }, async () => 1),
    );
    expect(view.code).toBe("LAKEHOUSE_INVALID_VIEW");
    expect(view.message).toMatch(/view "broken".*nope/);
    // Nothing was committed by the failed appends.
    expect((await lake.snapshot({ location: "t" }))?.version).toBe(0);
    expect(await readdir(scratch)).toEqual([]);

    await lake.close();
    expect((await caught(lake.contentHash({ location: "t" }))).code).toBe("LAKEHOUSE_CLOSED");
  });

  it("reports the first view in order that fails, whether its log or its files failed", async () => {
    const root = await tempDir();
    const { lake, scratch } = await openLake(createLocalObjectStore({ root }));
    const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
    await lake.appendRows("silver/ok", batchesOf([{ id: 1 }]), { schema, provenance });
    await lake.appendRows("silver/broken", batchesOf([{ id: 2 }]), { schema, provenance });
    const snapshot = await lake.snapshot({ location: "silver/broken" });
    // The log names a data file that is gone: only DuckDB finds out, when the view is made.
    await rm(join(root, "silver/broken", snapshot?.files[0]?.path ?? ""));
    const fails = (views: Record<string, { location: string }>) =>
      lake
        .session(views, async () => "never")
        .then(
          () => undefined,
          (error: unknown) => error as Error,
        );
    // The view with missing files comes first: its error, not the later view's table.
    const broken = await fails({
      a: { location: "silver/ok" },
      b: { location: "silver/broken" },
      c: { location: "silver/missing" },
    });
    expect(isAdapterError(broken)).toBe(true);
    expect((broken as { code?: string }).code).not.toBe("LAKEHOUSE_TABLE_NOT_FOUND");
    expect(broken?.message).toContain(snapshot?.files[0]?.path);
    // The missing table comes first: its error.
    const missing = await fails({
      a: { location: "silver/missing" },
      b: { location: "silver/broken" },
    });
    expect(missing).toMatchObject({
      code: "LAKEHOUSE_TABLE_NOT_FOUND",
      location: "silver/missing",
    });
    expect(await readdir(scratch)).toEqual([]);
  });

  it("stops at the signal", async () => {
    const { lake, scratch } = await openLake();
    const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
    const controller = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 3) controller.abort(new Error("stop"));
        yield [{ id: i }];
      }
    }
    await expect(
      lake.appendRows("t", endless(), { schema, provenance, signal: controller.signal }),
    ).rejects.toThrow("stop");
    expect(await lake.snapshot({ location: "t" })).toBeUndefined();
    expect(await readdir(scratch)).toEqual([]);
  });

  const server = s3TestServer();
  it.skipIf(server === undefined)(
    "works on S3, downloading data files into its scratch space only for a call",
    async () => {
      const store = testS3Store(server!);
      const { lake, scratch } = await openLake(store);
      const schema: TableSchema = {
        fields: [
          { name: "id", type: "long", nullable: false },
          { name: "at", type: "timestamp", nullable: true },
        ],
      };
      const rows = Array.from({ length: 100 }, (_, i) => ({
        id: i,
        at: new Date(Date.UTC(2026, 0, 1, i)),
      }));
      await lake.appendRows("lake/events", batchesOf(rows.slice(0, 60), rows.slice(60)), {
        schema,
        provenance,
      });
      await lake.appendRows("lake/events", batchesOf([{ id: 100, at: null }]), {
        schema,
        provenance,
      });
      expect(lake.uri("lake/events")).toMatch(/^s3:\/\/.*\/lake\/events$/);
      const counts = await lake.session(
        { v0: { location: "lake/events", version: 0 }, v1: { location: "lake/events" } },
        async (session) => {
          const { rows: result } = await session.engine.query(
            "SELECT (SELECT count(*) FROM v0) AS v0, (SELECT count(*) FROM v1) AS v1",
          );
          await session.writeQuery("lake/summary", "SELECT count(*) AS n FROM v1", {
            mode: "overwrite",
            provenance,
          });
          return result[0];
        },
      );
      expect(counts).toEqual({ v0: 100n, v1: 101n });
      const hash = await lake.contentHash({ location: "lake/events", version: 0 });
      expect(hash.rowCount).toBe(100);
      expect(await readdir(scratch)).toEqual([]);
      await store.close();
    },
  );
});

// The test lakes are built on a store; recover it for cross-checks with the Delta reader.
function storeOf(lake: DeltaLakehouse): ObjectStore {
  const root = new URL(lake.uri("x")).pathname.replace(/\/x$/, "");
  return createLocalObjectStore({ root });
}
