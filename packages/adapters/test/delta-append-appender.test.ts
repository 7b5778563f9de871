import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TableSchema } from "@controlroom/executor-kit";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { fromTableSchema } from "../src/delta/delta-schema.js";
import { openDuckDbSession } from "../src/delta/duckdb-session.js";
import { type DeltaTable, openDeltaTable } from "../src/delta/index.js";
import { stageRowsWithAppender } from "../src/delta/stage-rows-with-appender.js";
import { createLocalObjectStore } from "../src/local/index.js";

const provenance = { run_id: "run_test", phase: "append", git_sha: "0123abc" };
const dirs: string[] = [];
const tables: DeltaTable[] = [];
const instance = await DuckDBInstance.create(":memory:", {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
});
afterAll(async () => {
  for (const table of tables) await table.close();
  instance.closeSync();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const SCHEMA: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "i", type: "integer", nullable: true },
    { name: "s", type: "short", nullable: true },
    { name: "b", type: "byte", nullable: true },
    { name: "f", type: "float", nullable: true },
    { name: "d", type: "double", nullable: true },
    { name: "label", type: "string", nullable: true },
    { name: "ok", type: "boolean", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
  ],
};

// Plain values of every type the appender takes, extremes and nulls included, over
// more than one data chunk (2,048 rows).
const ROWS = Array.from({ length: 5_000 }, (_, index) => ({
  id: index === 0 ? 9_223_372_036_854_775_807n : index === 1 ? -9_223_372_036_854_775_808n : index,
  i: index % 7 === 0 ? null : index === 2 ? -2_147_483_648 : index * 1_000,
  s: index === 3 ? 32_767 : index % 100,
  b: index === 4 ? -128 : index % 5 === 0 ? undefined : index % 100,
  f: index / 3,
  d: index === 5 ? Number.MAX_VALUE : index === 6 ? 5e-324 : index / 7,
  label: index % 11 === 0 ? null : `row "${index}" ünïcode ${"x".repeat(index % 40)}`,
  ok: index % 3 === 0 ? null : index % 2 === 0,
  at:
    index % 13 === 0
      ? null
      : new Date(index % 2 === 0 ? Date.UTC(2024, 0, 1) + index * 1_234_567 : -index * 999),
}));

async function newTable(duckdb?: Parameters<typeof openDeltaTable>[0]["duckdb"]) {
  const dir = await mkdtemp(join(tmpdir(), "controlroom-appender-"));
  dirs.push(dir);
  const table = openDeltaTable({
    store: createLocalObjectStore({ root: dir }),
    location: "t",
    duckdb,
  });
  tables.push(table);
  await table.create({ schema: SCHEMA, provenance });
  return table;
}

const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.id as bigint) < (b.id as bigint) ? -1 : 1;

describe("appending JavaScript rows through DuckDB's appender", () => {
  it("stores exactly what staging through JSON stores", async () => {
    // A borrowed connection has no appender: that table stages through read_json.
    const viaJson = await newTable((await instance.connect()) as never);
    const viaAppender = await newTable();
    expect((await viaAppender.session()).native).toBeDefined();
    expect((await viaJson.session()).native).toBeUndefined();
    await viaJson.append({ rows: ROWS }, { provenance });
    await viaAppender.append({ rows: ROWS }, { provenance });
    const json = (await viaJson.readRows()).rows.sort(byId);
    const appended = (await viaAppender.readRows()).rows.sort(byId);
    expect(appended).toHaveLength(ROWS.length);
    expect(appended).toEqual(json);
    expect(appended.at(-1)).toMatchObject({ id: 9_223_372_036_854_775_807n, i: null, d: 0 });
    expect(appended[0]).toMatchObject({
      id: -9_223_372_036_854_775_808n,
      label: 'row "1" ünïcode x',
    });
    expect(appended.find((row) => row.id === 6n)?.d).toBe(5e-324);
  });

  it("leaves values it does not take as they are to the JSON path", async () => {
    const session = await openDuckDbSession();
    try {
      const fields = fromTableSchema(SCHEMA).fields;
      const odd = [{ ...ROWS[7], id: "8" }];
      expect(await stageRowsWithAppender(session.native!, "stage_odd", odd, fields)).toBe(false);
      // No table left behind: the JSON path creates its own under that name.
      expect(
        await session.all(
          "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'stage_odd'",
        ),
      ).toEqual([{ n: 0 }]);
      const past = [...ROWS.slice(0, 3000), { ...ROWS[7], i: 2 ** 31 }];
      expect(await stageRowsWithAppender(session.native!, "stage_big", past, fields)).toBe(false);
      expect(await stageRowsWithAppender(session.native!, "stage_ok", ROWS, fields)).toBe(true);
      expect(await session.all("SELECT count(*)::INTEGER AS n FROM stage_ok")).toEqual([
        { n: ROWS.length },
      ]);
    } finally {
      await session.close();
    }

    // Through the table: strings for a long and a timestamp still mean what JSON says.
    const table = await newTable();
    await table.append(
      { rows: [{ ...ROWS[8], id: "42", at: "2024-05-06T07:08:09.123456Z" }] },
      { provenance },
    );
    const [row] = (await table.readRows()).rows;
    expect(row?.id).toBe(42n);
  });

  it("reports nulls in a non-nullable column as before", async () => {
    const table = await newTable();
    await expect(
      table.append({ rows: [{ ...ROWS[9], id: null }] }, { provenance }),
    ).rejects.toThrow(/column "id" is not nullable but has nulls/);
  });
});
