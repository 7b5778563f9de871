import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckDbEngine, DuckDbError, isAdapterError } from "../src/duckdb/index.js";
import { sqlEngineConformance } from "../src/testing/index.js";

sqlEngineConformance("duckdb", () => createDuckDbEngine({ threads: 2 }));

describe("DuckDbEngine", () => {
  const engine = createDuckDbEngine({ threads: 2, memoryLimit: "512MB" });
  const dirs: string[] = [];
  afterAll(async () => {
    await engine.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("applies its options and keeps extension auto-loading off", async () => {
    const { rows } = await engine.query(
      "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory, " +
        "current_setting('autoload_known_extensions') AS autoload, " +
        "current_setting('autoinstall_known_extensions') AS autoinstall, current_setting('TimeZone') AS tz",
    );
    expect(rows[0]).toMatchObject({ threads: 2n, autoload: false, autoinstall: false, tz: "UTC" });
    expect(String(rows[0]?.memory)).toMatch(/^4\d\d\.\d MiB$/);
    // A non-built-in extension fails at once instead of being downloaded.
    await expect(
      engine.query("SELECT * FROM read_csv('https://127.0.0.1:1/x.csv')"),
    ).rejects.toThrow(/httpfs/);
  });

  it("maps DuckDB errors to DuckDbError with DuckDB's message", async () => {
    const error = await engine.query("SELEC 1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuckDbError);
    expect(isAdapterError(error)).toBe(true);
    expect(error).toMatchObject({ code: "DUCKDB_QUERY_FAILED" });
    expect((error as Error).message).toMatch(/Parser Error: syntax error at or near "SELEC"/);
  });

  it("converts nested, date, decimal and hugeint values", async () => {
    const { rows, columns } = await engine.query(
      "SELECT DATE '2024-02-29' AS d, [CAST('0.1' AS DECIMAL(5,1)), NULL] AS ds, " +
        "{'a': 1::BIGINT, 'b': 'x'} AS s, CAST(9223372036854775807 AS HUGEINT) * 4 AS huge, " +
        "CAST('-0.000001' AS DECIMAL(18,6)) AS tiny, TIMESTAMPTZ '2024-01-01 12:00:00+02' AS tz",
    );
    expect(columns.map((c) => c.type)).toEqual([
      "DATE",
      "DECIMAL(5,1)[]",
      'STRUCT("a" BIGINT, "b" VARCHAR)',
      "HUGEINT",
      "DECIMAL(18,6)",
      "TIMESTAMP WITH TIME ZONE",
    ]);
    expect(rows[0]).toEqual({
      d: new Date("2024-02-29T00:00:00Z"),
      ds: [0.1, null],
      s: { a: 1n, b: "x" },
      huge: 36893488147419103228n,
      tiny: -0.000001,
      tz: new Date("2024-01-01T10:00:00Z"),
    });
  });

  it("runs several statements in one call and returns the last one's rows", async () => {
    const { rows } = await engine.query(
      "CREATE TEMP TABLE t AS SELECT 41 AS x; SELECT x + 1 AS y FROM t",
    );
    expect(rows).toEqual([{ y: 42 }]);
  });

  it("shares plain tables and views between calls", async () => {
    await engine.execute("CREATE TABLE shared_numbers AS SELECT range AS n FROM range(5)");
    await engine.execute(
      "CREATE VIEW shared_evens AS SELECT n FROM shared_numbers WHERE n % 2 = 0",
    );
    const { rows } = await engine.query("SELECT count(*) AS c FROM shared_evens");
    expect(rows).toEqual([{ c: 3n }]);
    expect(await engine.execute("DELETE FROM shared_numbers WHERE n > 2")).toEqual({
      rowsAffected: 2,
    });
  });

  it("runs concurrent queries, and a cancelled one does not disturb the others", async () => {
    const controller = new AbortController();
    const slow = engine.query(
      "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b",
      { signal: controller.signal },
    );
    const fast = Promise.all(
      Array.from({ length: 5 }, (_, i) => engine.query<{ v: number }>(`SELECT ${i} AS v`)),
    );
    setTimeout(() => controller.abort(new Error("enough")), 100);
    await expect(slow).rejects.toThrow("enough");
    expect((await fast).map((result) => result.rows[0]?.v)).toEqual([0, 1, 2, 3, 4]);
  });

  it("stops a long query early: it would run for minutes, it ends within a second", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error("cancelled")), 300);
    await expect(
      engine.execute(
        "CREATE TABLE never AS SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b",
        { signal: controller.signal },
      ),
    ).rejects.toThrow("cancelled");
    expect(performance.now() - started).toBeLessThan(1_500);
    const { rows } = await engine.query(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'never'",
    );
    expect(rows).toEqual([{ n: 0n }]);
  });

  it("streams a large result in batches with flat memory", async () => {
    // Materialised as JS objects this result would take hundreds of MB; streamed, only a
    // batch is held at a time.
    const before = process.memoryUsage().rss;
    let rows = 0;
    let batches = 0;
    let peak = before;
    for await (const batch of engine.stream<{ x: bigint; y: string }>(
      "SELECT range AS x, 'row ' || range AS y FROM range(1000000)",
      { batchSize: 20_000 },
    )) {
      rows += batch.rows.length;
      batches++;
      if (batches % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(rows).toBe(1_000_000);
    expect(batches).toBeGreaterThanOrEqual(45);
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
  });

  it("opens a database file and keeps data across engines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "controlroom-duckdb-test-"));
    dirs.push(dir);
    const path = join(dir, "db.duckdb");
    const first = createDuckDbEngine({ path, tempDirectory: join(dir, "spill") });
    await first.execute("CREATE TABLE kept AS SELECT 'persisted' AS v");
    await first.close();
    const second = createDuckDbEngine({ path });
    expect((await second.query("SELECT v FROM kept")).rows).toEqual([{ v: "persisted" }]);
    await second.close();
  });

  it("refuses calls after close", async () => {
    const closed = createDuckDbEngine();
    await closed.query("SELECT 1");
    await closed.close();
    await expect(closed.query("SELECT 1")).rejects.toMatchObject({ code: "DUCKDB_CLOSED" });
  });
});
