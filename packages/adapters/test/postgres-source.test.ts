import type { WriteDateIdCursor } from "@controlroom/executor-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPostgresSource,
  isAdapterError,
  type PostgresRow,
  type PostgresSource,
  PostgresSourceError,
} from "../src/postgres/index.js";
import { type TestDatabase, testDrivers } from "./postgres-harness.js";

async function readAll(
  source: PostgresSource,
  stream: string,
  options: Parameters<PostgresSource["read"]>[1] = {},
): Promise<{ rows: PostgresRow[]; cursors: WriteDateIdCursor[] }> {
  const rows: PostgresRow[] = [];
  const cursors: WriteDateIdCursor[] = [];
  for await (const batch of source.read(stream, options)) {
    rows.push(...batch.rows);
    cursors.push(batch.cursor);
  }
  return { rows, cursors };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PostgresSourceError);
  expect(isAdapterError(error)).toBe(true);
  expect((error as PostgresSourceError).code).toBe(code);
}

// 600 rows over 6 timestamps, ids interleaved with the timestamps so that id order and
// (write_date, id) order differ: a paginator that orders or compares wrongly shows up.
const TIES = `
  CREATE TABLE ties (
    id serial PRIMARY KEY,
    write_date timestamp without time zone,
    amount numeric,
    label varchar
  );
  CREATE INDEX ties_cursor ON ties (write_date, id);
  INSERT INTO ties (write_date, amount, label)
  SELECT timestamp '2025-03-01 10:00:00' + ((g * 7) % 6) * interval '1 second',
         round(g * 1.25, 2), 'row ' || g
    FROM generate_series(1, 600) AS g;
`;

describe.each(testDrivers())("Postgres source on $name", (driver) => {
  let db: TestDatabase;
  beforeEach(async (context) => {
    if (!driver.available) context.skip();
    db = await driver.open();
  });
  afterEach(async () => {
    await db?.close();
  });

  it("pages through many rows sharing a write_date without skipping or repeating", async () => {
    await db.exec(TIES);
    const source = createPostgresSource({ connection: db.connection, tables: ["ties"] });
    const { rows, cursors } = await readAll(source, "ties", { batchSize: 37 });
    expect(rows).toHaveLength(600);
    expect(new Set(rows.map((row) => row.id)).size).toBe(600);
    const keys = rows.map(
      (row) => `${row.write_date as string}#${String(row.id).padStart(4, "0")}`,
    );
    expect(keys).toEqual([...keys].sort());
    expect(cursors).toHaveLength(Math.ceil(600 / 37));
    expect(cursors.at(-1)).toEqual({
      write_date: rows.at(-1)?.write_date,
      id: rows.at(-1)?.id,
    });

    // Resuming from any batch's cursor reads exactly the rest.
    const middle = cursors[7] as WriteDateIdCursor;
    const rest = await readAll(source, "ties", { after: middle, batchSize: 50 });
    expect(rest.rows.map((row) => row.id)).toEqual(rows.slice(8 * 37).map((row) => row.id));
  });

  it("keeps microseconds in cursors, so rows within one millisecond are not lost", async () => {
    await db.exec(`
      CREATE TABLE fine (id int PRIMARY KEY, write_date timestamp);
      INSERT INTO fine VALUES
        (1, '2025-01-01 00:00:00.000100'), (2, '2025-01-01 00:00:00.000900'),
        (3, '2025-01-01 00:00:00.000500'), (4, '2025-01-01 00:00:00.001000');
    `);
    const source = createPostgresSource({ connection: db.connection, tables: ["fine"] });
    const { rows, cursors } = await readAll(source, "fine", { batchSize: 1 });
    expect(rows.map((row) => row.id)).toEqual([1, 3, 2, 4]);
    expect(cursors[1]).toEqual({ write_date: "2025-01-01T00:00:00.000500Z", id: 3 });
    const rest = await readAll(source, "fine", { after: cursors[1] });
    expect(rest.rows.map((row) => row.id)).toEqual([2, 4]);
  });

  it("returns rows as the same JSON values on every driver", async () => {
    await db.exec(`
      CREATE TABLE kinds (
        id int PRIMARY KEY, write_date timestamp, stamped timestamptz, day date,
        amount numeric(12, 2), big int8, ratio float8, flag boolean, name jsonb, tags int4[]
      );
      INSERT INTO kinds VALUES (1, '2025-05-06 07:08:09.123456', '2025-05-06 07:08:09+02',
        '2025-05-06', 1234.50, 9007199254740993, 0.25, true, '{"en_US": "Bank"}', '{1,2}');
    `);
    const source = createPostgresSource({ connection: db.connection, tables: ["kinds"] });
    const { rows } = await readAll(source, "kinds");
    expect(rows).toEqual([
      {
        id: 1,
        write_date: "2025-05-06T07:08:09.123456Z",
        stamped: "2025-05-06T05:08:09.000000Z",
        day: "2025-05-06",
        amount: "1234.50",
        big: "9007199254740993",
        ratio: 0.25,
        flag: true,
        name: { en_US: "Bank" },
        tags: "{1,2}",
      },
    ]);
  });

  it("pins the end of a read when it starts, and honours an explicit until", async () => {
    await db.exec(TIES);
    const source = createPostgresSource({ connection: db.connection, tables: ["ties"] });
    const seen: unknown[] = [];
    let inserted = false;
    for await (const batch of source.read("ties", { batchSize: 100 })) {
      seen.push(...batch.rows.map((row) => row.id));
      if (!inserted) {
        await db.exec("INSERT INTO ties (write_date, amount) VALUES ('2030-01-01', 1)");
        inserted = true;
      }
    }
    expect(seen).toHaveLength(600);

    const until = { write_date: "2025-03-01T10:00:02Z", id: 300 };
    const bounded = await readAll(source, "ties", { until });
    expect(bounded.rows.length).toBeGreaterThan(0);
    for (const row of bounded.rows) {
      const key = [row.write_date as string, row.id as number] as const;
      expect(
        key[0] < "2025-03-01T10:00:02.000000Z" ||
          (key[0] === "2025-03-01T10:00:02.000000Z" && key[1] <= 300),
      ).toBe(true);
    }
    // Rebuilding with the same bounds reads the same rows.
    expect((await readAll(source, "ties", { until })).rows).toEqual(bounded.rows);
  });

  it("re-reads the overlap window after a cursor to catch late commits", async () => {
    await db.exec(`
      CREATE TABLE moves (id serial PRIMARY KEY, write_date timestamp, state varchar);
      INSERT INTO moves (write_date, state) VALUES
        ('2025-06-01 12:00:00', 'a'), ('2025-06-01 12:00:30', 'b'), ('2025-06-01 12:01:00', 'c');
    `);
    const source = createPostgresSource({
      connection: db.connection,
      tables: ["moves"],
      overlapMs: 45_000,
    });
    const first = await readAll(source, "moves");
    const cursor = first.cursors.at(-1) as WriteDateIdCursor;
    expect(cursor).toEqual({ write_date: "2025-06-01T12:01:00.000000Z", id: 3 });
    // A transaction that started at 12:00:40 commits after the read: its row is older
    // than the cursor, and one from 11:59 is older than the window.
    await db.exec(`
      INSERT INTO moves (write_date, state) VALUES ('2025-06-01 12:00:40', 'late'), ('2025-06-01 11:59:00', 'too late');
      INSERT INTO moves (write_date, state) VALUES ('2025-06-01 12:05:00', 'new');
    `);
    const second = await readAll(source, "moves", { after: cursor });
    expect(second.rows.map((row) => row.state)).toEqual(["b", "late", "c", "new"]);
    const withoutOverlap = createPostgresSource({ connection: db.connection, tables: ["moves"] });
    expect(
      (await readAll(withoutOverlap, "moves", { after: cursor })).rows.map((row) => row.state),
    ).toEqual(["new"]);
  });

  it("reads only the asked columns, plus the cursor fields", async () => {
    await db.exec(TIES);
    const source = createPostgresSource({ connection: db.connection, tables: ["ties"] });
    const { rows } = await readAll(source, "ties", { columns: ["label"], batchSize: 1_000 });
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(["id", "label", "write_date"]);
  });

  it("lists streams, reports the high-water mark and freshness", async () => {
    await db.exec(TIES);
    await db.exec("CREATE TABLE empty (id int PRIMARY KEY, write_date timestamp)");
    const source = createPostgresSource({
      connection: db.connection,
      tables: ["ties", { name: "empty", primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
      now: () => new Date("2025-03-01T11:00:05Z"),
    });
    expect(await source.streams()).toEqual([
      { name: "ties", cursorFields: ["write_date", "id"], primaryKey: ["id"] },
      { name: "empty", cursorFields: ["write_date", "id"], primaryKey: ["id"] },
    ]);
    expect(await source.highWaterMark("ties")).toEqual({
      write_date: "2025-03-01T10:00:05.000000Z",
      id: 599,
    });
    expect(await source.highWaterMark("empty")).toBeUndefined();
    expect(await source.freshness("ties")).toEqual({
      stream: "ties",
      newest: "2025-03-01T10:00:05.000000Z",
      lagMs: 3_600_000,
      measuredAt: "2025-03-01T11:00:05.000Z",
    });
    expect((await source.freshness("empty")).lagMs).toBeNull();
    expect(await readAll(source, "empty")).toEqual({ rows: [], cursors: [] });
  });

  it("snapshots the schema and sees columns added, dropped and retyped", async () => {
    await db.exec(TIES);
    const { detectSchemaDrift } = await import("../src/postgres/index.js");
    const source = createPostgresSource({ connection: db.connection, tables: ["ties"] });
    const before = await source.schema("ties");
    expect(
      before.columns.map((column) => [
        column.name,
        column.dataType,
        column.nullable,
        column.ordinal,
      ]),
    ).toEqual([
      ["id", "integer", false, 1],
      ["write_date", "timestamp without time zone", true, 2],
      ["amount", "numeric", true, 3],
      ["label", "character varying", true, 4],
    ]);
    await db.exec(`
      ALTER TABLE ties ADD COLUMN note text;
      ALTER TABLE ties DROP COLUMN label;
      ALTER TABLE ties ALTER COLUMN amount TYPE float8;
      ALTER TABLE ties ALTER COLUMN write_date SET NOT NULL;
    `);
    const after = await source.schema("ties");
    const drift = detectSchemaDrift(before, after);
    expect(drift.added.map((column) => column.name)).toEqual(["note"]);
    expect(drift.removed.map((column) => column.name)).toEqual(["label"]);
    expect(drift.retyped).toEqual([{ name: "amount", from: "numeric", to: "double precision" }]);
    expect(drift.nullability).toEqual([{ name: "write_date", from: true, to: false }]);
    // Reads follow the current schema.
    const { rows } = await readAll(source, "ties", { batchSize: 1_000 });
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "write_date", "amount", "note"]);
  });

  it("rejects bad input with typed errors before reading", async () => {
    await db.exec(TIES);
    const source = createPostgresSource({
      connection: db.connection,
      tables: ["ties", "missing", { name: "ties_bad", cursorFields: ["changed_at", "id"] }],
    });
    await db.exec("CREATE TABLE ties_bad (id int PRIMARY KEY, write_date timestamp)");
    await expectCode(readAll(source, "nope"), "POSTGRES_UNKNOWN_STREAM");
    await expectCode(source.highWaterMark("nope"), "POSTGRES_UNKNOWN_STREAM");
    await expectCode(readAll(source, "missing"), "POSTGRES_TABLE_NOT_FOUND");
    await expectCode(readAll(source, "ties_bad"), "POSTGRES_INVALID_OPTIONS");
    await expectCode(readAll(source, "ties", { batchSize: 0 }), "POSTGRES_INVALID_OPTIONS");
    await expectCode(readAll(source, "ties", { columns: ["nope"] }), "POSTGRES_INVALID_OPTIONS");
    const bad: unknown[] = [
      { id: 3 },
      { write_date: "yesterday", id: 3 },
      { write_date: "2025-01-01T00:00:00Z", id: 1.5 },
      { write_date: "2025-01-01T00:00:00Z", id: 3, extra: true },
      "2025-01-01",
    ];
    for (const after of bad) {
      await expectCode(
        readAll(source, "ties", { after: after as WriteDateIdCursor }),
        "POSTGRES_INVALID_CURSOR",
      );
    }
    await expectCode(
      readAll(source, "ties", { until: { write_date: "2025-13-45", id: 1 } }),
      "POSTGRES_INVALID_CURSOR",
    );
    expect(() =>
      createPostgresSource({ connection: db.connection, tables: ["ties"], overlapMs: -1 }),
    ).toThrow(PostgresSourceError);
  });

  it("stops between batches when the signal aborts", async () => {
    await db.exec(TIES);
    const source = createPostgresSource({ connection: db.connection, tables: ["ties"] });
    const controller = new AbortController();
    let batches = 0;
    const reading = (async () => {
      for await (const _ of source.read("ties", { batchSize: 100, signal: controller.signal })) {
        batches += 1;
        controller.abort(new Error("stop"));
      }
    })();
    await expect(reading).rejects.toThrow("stop");
    expect(batches).toBe(1);
  });
});
