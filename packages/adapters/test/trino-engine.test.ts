import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlEngineConformance } from "../src/testing/index.js";
import {
  createTrinoEngine,
  isAdapterError,
  type TrinoEngine,
  TrinoError,
} from "../src/trino/index.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestEngine,
  trinoTestServer,
} from "./trino-test-server.js";

const skip = trinoSkipReason();

// 1..n in order, past Trino's 10,000-element limit on sequence(): blocks of 10,000.
const seriesSql = (n: number) =>
  `SELECT x FROM (SELECT a.i * 10000 + b.j + 1 AS x FROM UNNEST(sequence(0, ${Math.ceil(n / 10_000) - 1})) a(i) ` +
  `CROSS JOIN UNNEST(sequence(0, 9999)) b(j)) WHERE x <= ${n} ORDER BY x`;
// 10^12 rows: hours of work, in doubles so that the sum cannot overflow and fail early.
const slowSql =
  "SELECT sum(CAST(a.i AS double) * b.j * c.k) AS s FROM UNNEST(sequence(1, 10000)) a(i) " +
  "CROSS JOIN UNNEST(sequence(1, 10000)) b(j) CROSS JOIN UNNEST(sequence(1, 10000)) c(k)";

describe.skipIf(skip !== undefined)(`Trino${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let server: TrinoTestServer;
  beforeAll(async () => {
    server = await trinoTestServer();
  }, TRINO_START_TIMEOUT_MS);

  sqlEngineConformance("trino", () => trinoTestEngine(server), {
    placeholder: () => "?",
    namedPlaceholder: undefined,
    seriesSql,
    slowSql,
    tableName: (suffix) => `memory.default.conformance_${suffix}`,
  });

  describe("TrinoEngine", () => {
    let engine: TrinoEngine;
    beforeAll(() => {
      engine = trinoTestEngine(server);
    });
    afterAll(() => engine?.close());

    it("maps query failures to TrinoError with Trino's name, type, code and query id", async () => {
      const error = await engine
        .query("SELECT no_such_column FROM (SELECT 1 AS a) t")
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TrinoError);
      expect(isAdapterError(error)).toBe(true);
      expect(error).toMatchObject({
        code: "TRINO_QUERY_FAILED",
        errorName: "COLUMN_NOT_FOUND",
        errorType: "USER_ERROR",
        trinoErrorCode: 47,
        message: "line 1:8: Column 'no_such_column' cannot be resolved",
      });
      const queryId = (error as TrinoError).queryId;
      expect(queryId).toMatch(/^\d{8}_\d{6}_\d{5}_\w{5}$/);
      // The id is the server's: the failure can be looked up there.
      const { rows } = await engine.query(
        "SELECT state, error_code FROM system.runtime.queries WHERE query_id = ?",
        { params: [queryId as string] },
      );
      expect(rows).toEqual([{ state: "FAILED", error_code: "COLUMN_NOT_FOUND" }]);
      await expect(engine.query("SELEC 1")).rejects.toMatchObject({
        code: "TRINO_QUERY_FAILED",
        errorName: "SYNTAX_ERROR",
      });
    });

    it("converts dates, zoned timestamps, decimals, floats, nested and text values", async () => {
      const { rows, columns } = await engine.query(
        [
          "SELECT DATE '2024-02-29' AS d",
          "TIMESTAMP '2024-01-01 12:00:00.250 Europe/Berlin' AS berlin",
          "TIMESTAMP '2024-07-01 12:00:00 America/New_York' AS summer",
          "TIMESTAMP '2024-01-01 12:00:00 -03:30' AS offset",
          "TIMESTAMP '2024-01-01 12:00:00.123456' AS micros",
          "ARRAY[CAST('0.1' AS DECIMAL(5,1)), NULL] AS ds",
          "CAST(ROW(BIGINT '1', 'x') AS ROW(a BIGINT, b VARCHAR)) AS s",
          "MAP(ARRAY[1, 2], ARRAY['one', 'two']) AS m",
          "BIGINT '-9223372036854775808' AS min",
          "CAST('-0.000001' AS DECIMAL(18,6)) AS tiny",
          "nan() AS n, infinity() AS inf, REAL '1.5' AS r",
          "CAST('ab' AS CHAR(4)) AS c, JSON '{\"k\":[1,2]}' AS j, TIME '10:11:12' AS t",
        ].join(", "),
      );
      expect(columns.map((column) => column.type)).toEqual([
        "date",
        "timestamp with time zone",
        "timestamp with time zone",
        "timestamp with time zone",
        "timestamp",
        "array(decimal(5, 1))",
        "row(a bigint, b varchar)",
        "map(integer, varchar(3))",
        "bigint",
        "decimal(18, 6)",
        "double",
        "double",
        "real",
        "char(4)",
        "json",
        "time",
      ]);
      expect(rows[0]).toEqual({
        d: new Date("2024-02-29T00:00:00Z"),
        berlin: new Date("2024-01-01T11:00:00.250Z"),
        summer: new Date("2024-07-01T16:00:00Z"),
        offset: new Date("2024-01-01T15:30:00Z"),
        micros: new Date("2024-01-01T12:00:00.123Z"),
        ds: [0.1, null],
        s: { a: 1n, b: "x" },
        m: [
          { key: 1, value: "one" },
          { key: 2, value: "two" },
        ],
        min: -9223372036854775808n,
        tiny: -0.000001,
        n: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        r: 1.5,
        c: "ab  ",
        j: '{"k":[1,2]}',
        t: "10:11:12.000",
      });
    });

    it("uses its catalog, schema, session properties and time zone, per call", async () => {
      const configured = createTrinoEngine({
        server: server.url,
        user: server.user,
        catalog: "tpch",
        schema: "tiny",
        session: { query_max_run_time: "17m", "delta.parquet_max_read_block_row_count": 4096 },
        timeZone: "Asia/Kolkata",
        source: "controlroom-session-test",
        clientTags: ["a", "b"],
      });
      try {
        expect((await configured.query("SELECT count(*) AS n FROM nation")).rows).toEqual([
          { n: 25n },
        ]);
        const { rows } = await configured.query(
          "SELECT current_catalog AS c, current_schema AS s, current_timezone() AS tz, current_user AS u",
        );
        expect(rows).toEqual([{ c: "tpch", s: "tiny", tz: "Asia/Kolkata", u: "controlroom" }]);
        const session = await configured.query<{ Name: string; Value: string }>("SHOW SESSION");
        const value = (name: string) => session.rows.find((row) => row.Name === name)?.Value;
        expect(value("query_max_run_time")).toBe("17m");
        expect(value("delta.parquet_max_read_block_row_count")).toBe("4096");
        // A SET SESSION in one call does not leak into the next one.
        await configured.execute("SET SESSION query_max_run_time = '3m'");
        const after = await configured.query<{ Name: string; Value: string }>("SHOW SESSION");
        expect(after.rows.find((row) => row.Name === "query_max_run_time")?.Value).toBe("17m");
        const recorded = await engine.query(
          "SELECT DISTINCT source FROM system.runtime.queries WHERE source = ?",
          { params: ["controlroom-session-test"] },
        );
        expect(recorded.rows).toHaveLength(1);
      } finally {
        await configured.close();
      }
    });

    it("binds parameters as values, never as SQL", async () => {
      const hostile = "x'); DROP TABLE memory.default.nope; --";
      const { rows } = await engine.query("SELECT ? AS s, ? AS n, ? AS big, ? AS ok", {
        params: [hostile, -1.25, -(2n ** 63n), false],
      });
      expect(rows).toEqual([{ s: hostile, n: -1.25, big: -(2n ** 63n), ok: false }]);
      const floats = await engine.query("SELECT ? AS a, ? AS b, ? AS c", {
        params: [Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 40],
      });
      expect(floats.rows).toEqual([{ a: Number.NaN, b: Number.NEGATIVE_INFINITY, c: 2n ** 40n }]);
    });

    it("refuses named parameters and values with no Trino type", async () => {
      await expect(engine.query("SELECT 1", { params: { a: 1 } })).rejects.toMatchObject({
        code: "TRINO_INVALID_ARGUMENT",
        message: expect.stringMatching(/positional parameters only/),
      });
      await expect(engine.query("SELECT ?", { params: [2n ** 63n] })).rejects.toMatchObject({
        code: "TRINO_INVALID_ARGUMENT",
        message: "parameter 1: 9223372036854775808 does not fit in a BIGINT",
      });
      await expect(
        engine.query("SELECT ?, ?", { params: [1, { nested: true } as never] }),
      ).rejects.toMatchObject({
        code: "TRINO_INVALID_ARGUMENT",
        message: "parameter 2: Object has no Trino type",
      });
      await expect(
        engine.query("SELECT ?", { params: [new Date(Number.NaN)] }),
      ).rejects.toMatchObject({ code: "TRINO_INVALID_ARGUMENT" });
    });

    it("streams a real table page by page", async () => {
      let rows = 0;
      let batches = 0;
      let last = 0n;
      for await (const batch of engine.stream<{ orderkey: bigint; linenumber: number }>(
        "SELECT orderkey, linenumber FROM tpch.tiny.lineitem ORDER BY orderkey, linenumber",
        { batchSize: 5_000 },
      )) {
        batches++;
        rows += batch.rows.length;
        expect(batch.rows.length).toBeLessThanOrEqual(5_000);
        for (const row of batch.rows) {
          expect(row.orderkey >= last).toBe(true);
          last = row.orderkey;
        }
      }
      expect(rows).toBe(60_175);
      expect(batches).toBe(13);
    });

    it("fails with TRINO_CONNECTION_FAILED when nothing listens", async () => {
      const nowhere = createTrinoEngine({ server: "http://127.0.0.1:9", requestTimeoutMs: 5_000 });
      await expect(nowhere.query("SELECT 1")).rejects.toMatchObject({
        code: "TRINO_CONNECTION_FAILED",
        message: expect.stringMatching(/^cannot reach Trino at http:\/\/127\.0\.0\.1:9/),
      });
    });

    it("cancels running queries on close and refuses calls afterwards", async () => {
      const closing = trinoTestEngine(server);
      const running = closing.query(slowSql);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await closing.close();
      await expect(running).rejects.toMatchObject({ code: "TRINO_CLOSED" });
      await expect(closing.query("SELECT 1")).rejects.toMatchObject({ code: "TRINO_CLOSED" });
    });
  });
});

describe("createTrinoEngine", () => {
  it("refuses bad options with TRINO_INVALID_ARGUMENT", () => {
    const bad = [
      { server: "ftp://trino.example.com" },
      { server: "not a url" },
      { server: "https://user:secret@trino.example.com" },
      { server: "https://trino.example.com", schema: "gold" },
      { server: "https://trino.example.com", session: { "a=b": "c" } },
      { server: "https://trino.example.com", auth: { type: "bearer", token: "" } },
      { server: "https://trino.example.com", auth: { type: "basic", user: "", password: "x" } },
      { server: "https://trino.example.com", clientTags: ["a,b"] },
      { server: "https://trino.example.com", requestTimeoutMs: 0 },
    ] as const;
    for (const options of bad) {
      expect(() => createTrinoEngine(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: "TRINO_INVALID_ARGUMENT" }),
      );
    }
  });
});
