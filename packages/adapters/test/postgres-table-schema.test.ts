import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SqlRow } from "@controlroom/executor-kit";
import type { MedallionSource, StreamFreshness } from "@controlroom/executor-kit/medallion";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeltaLakehouse } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import {
  createPostgresSource,
  type PostgresRow,
  type PostgresSource,
  PostgresSourceError,
} from "../src/postgres/index.js";
import { type TestDatabase, testDrivers } from "./postgres-harness.js";

// One column of each kind the source normalises differently.
const THINGS = `
  CREATE TABLE things (
    id serial PRIMARY KEY,
    write_date timestamp without time zone NOT NULL,
    created timestamptz,
    day date,
    small smallint,
    n integer,
    big bigint,
    amount numeric(14,4),
    flag boolean,
    label varchar(20),
    code char(3),
    body text,
    uid uuid,
    payload jsonb,
    doc json,
    r real,
    d double precision,
    tags text[],
    period interval
  );
  INSERT INTO things (write_date, created, day, small, n, big, amount, flag, label, code, body,
                      uid, payload, doc, r, d, tags, period) VALUES
    ('2026-01-31 12:00:00.123456', '2026-01-31 13:00:00.5+01', '2026-02-01', -32768, 2147483647,
     9223372036854775807, 1234.5000, true, 'first', 'ab', 'line one
line two', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": [1, 2.5, null], "a": {"x": "y"}}',
     '{"z": 1, "a": 2}', 0.1, 1e-300, ARRAY['a', 'b,c'], interval '1 day 02:03:04'),
    ('2026-01-31 12:00:00.123456', NULL, NULL, NULL, NULL, -9007199254740993, -0.0001, false,
     NULL, NULL, '', NULL, '"just a string"', '[1, "two"]', -1.5, 3.141592653589793, '{}', NULL),
    ('2026-02-02 00:00:00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     'null', NULL, NULL, NULL, NULL, NULL);
`;

const provenance = { run_id: "run_pg", phase: "ingest", git_sha: "0123abc" };

async function readAll(source: PostgresSource, stream: string): Promise<PostgresRow[]> {
  const rows: PostgresRow[] = [];
  for await (const batch of source.read(stream, { batchSize: 2 })) rows.push(...batch.rows);
  return rows;
}

describe.each(testDrivers())("Postgres source tableSchema on $name", (driver) => {
  let db: TestDatabase;
  const dirs: string[] = [];
  beforeEach(async (context) => {
    if (!driver.available) context.skip();
    db = await driver.open();
  });
  afterEach(async () => {
    await db?.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("types each column as the values the source yields", async () => {
    await db.exec(THINGS);
    const source = createPostgresSource({ connection: db.connection, tables: ["things"] });
    // It is a source the medallion template can ingest.
    const medallion: MedallionSource = source;
    const freshness: StreamFreshness = await source.freshness("things");
    expect(freshness.newest).toBe("2026-02-02T00:00:00.000000Z");
    expect((await medallion.tableSchema("things")).fields).toEqual([
      { name: "id", type: "integer", nullable: false },
      { name: "write_date", type: "timestamp", nullable: false },
      { name: "created", type: "timestamp", nullable: true },
      { name: "day", type: "date", nullable: true },
      { name: "small", type: "short", nullable: true },
      { name: "n", type: "integer", nullable: true },
      { name: "big", type: "long", nullable: true },
      { name: "amount", type: "string", nullable: true },
      { name: "flag", type: "boolean", nullable: true },
      { name: "label", type: "string", nullable: true },
      { name: "code", type: "string", nullable: true },
      { name: "body", type: "string", nullable: true },
      { name: "uid", type: "string", nullable: true },
      { name: "payload", type: "string", nullable: true },
      { name: "doc", type: "string", nullable: true },
      { name: "r", type: "double", nullable: true },
      { name: "d", type: "double", nullable: true },
      { name: "tags", type: "string", nullable: true },
      { name: "period", type: "string", nullable: true },
    ]);
    await expect(source.tableSchema("nope")).rejects.toBeInstanceOf(PostgresSourceError);
  });

  it("ingests through appendRows into a Delta table that reads back as the source rows", async () => {
    await db.exec(THINGS);
    const source = createPostgresSource({ connection: db.connection, tables: ["things"] });
    const root = await mkdtemp(join(tmpdir(), "controlroom-pg-lake-"));
    const scratch = await mkdtemp(join(tmpdir(), "controlroom-pg-scratch-"));
    dirs.push(root, scratch);
    const lake = createDeltaLakehouse({
      store: createLocalObjectStore({ root }),
      tempDirectory: scratch,
    });
    try {
      const schema = await source.tableSchema("things");
      async function* batches(): AsyncGenerator<SqlRow[]> {
        for await (const batch of source.read("things", { batchSize: 2 })) yield batch.rows;
      }
      const written = await lake.appendRows("bronze/things", batches(), { schema, provenance });
      expect(written).toEqual({ location: "bronze/things", version: 0, rowCount: 3 });
      expect((await lake.snapshot({ location: "bronze/things" }))?.schema).toEqual(schema);

      // Read back in the source's own value forms: timestamps as ISO-8601 with
      // microseconds, dates as text, longs as decimal strings.
      const lakeRows = await lake.session(
        { things: { location: "bronze/things" } },
        async ({ engine }) =>
          (
            await engine.query(
              `SELECT * REPLACE (
                 strftime(write_date, '%Y-%m-%dT%H:%M:%S.%fZ') AS write_date,
                 strftime(created, '%Y-%m-%dT%H:%M:%S.%fZ') AS created,
                 CAST(day AS VARCHAR) AS day,
                 CAST(big AS VARCHAR) AS big
               ) FROM things ORDER BY id`,
            )
          ).rows,
      );
      const sourceRows = await readAll(source, "things");
      // json and jsonb land in string columns: objects, arrays and numbers as JSON
      // text; a JSON string scalar as the string itself (the driver already parsed it).
      const asText = (value: unknown) =>
        value === null || typeof value === "string" ? value : JSON.stringify(value);
      expect(lakeRows).toEqual(
        sourceRows.map((row) => ({ ...row, payload: asText(row.payload), doc: asText(row.doc) })),
      );
      expect(JSON.parse(lakeRows[0]?.payload as string)).toEqual({
        a: { x: "y" },
        b: [1, 2.5, null],
      });
      expect(lakeRows[1]?.payload).toBe("just a string");
      expect(sourceRows[0]?.big).toBe("9223372036854775807");
      expect(sourceRows[0]?.write_date).toBe("2026-01-31T12:00:00.123456Z");
      expect(lakeRows[0]?.amount).toBe("1234.5000");
      expect(await readdir(scratch)).toEqual([]);
    } finally {
      await lake.close();
    }
  });
});
