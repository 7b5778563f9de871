import type { SqlEngine } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Options of {@link sqlEngineConformance}: the dialect-specific bits of SQL. */
export interface SqlEngineConformanceOptions {
  /**
   * The placeholder for the `index`-th (1-based) positional parameter.
   * @default (index) => `$${index}` (DuckDB, Postgres); Trino uses `?`
   */
  placeholder?: ((index: number) => string) | undefined;
  /**
   * The placeholder for a named parameter, or `undefined` when the engine has none.
   * @default (name) => `$${name}` (DuckDB)
   */
  namedPlaceholder?: ((name: string) => string) | undefined;
  /**
   * A query yielding one BIGINT column `x` with the values 1..n, in order.
   * @default (n) => `SELECT range + 1 AS x FROM range(${n}) ORDER BY x` (DuckDB)
   */
  seriesSql?: ((n: number) => string) | undefined;
  /**
   * A query that runs for a minute or more, to cancel.
   * @default a cross join of two 10⁶-row ranges, summed (DuckDB)
   */
  slowSql?: string | undefined;
  /**
   * A fresh, unqualified table name the suite may create and drop; `undefined` skips
   * the DDL test (engines without a writable catalog).
   * @default (suffix) => `conformance_${suffix}`
   */
  tableName?: ((suffix: string) => string) | undefined;
  /**
   * Called once after the suite with the engine the factory made.
   * @default engine.close()
   */
  teardown?: ((engine: SqlEngine) => void | Promise<void>) | undefined;
}

/**
 * The conformance suite every {@link SqlEngine} adapter runs with vitest: results and
 * column names, parameters, value conversion (BIGINT → bigint, DECIMAL → exact
 * number or string, TIMESTAMP → Date, BLOB → Uint8Array, NULL → null), streaming in
 * batches, breaking out of a stream, errors, cancellation by signal and statements.
 * Dialect-specific SQL comes from `options`; the defaults are DuckDB's.
 *
 * @example
 * ```ts
 * import { sqlEngineConformance } from "@controlroom/adapters/testing";
 * import { createDuckDbEngine } from "@controlroom/adapters/duckdb";
 *
 * sqlEngineConformance("duckdb", () => createDuckDbEngine());
 * ```
 */
export function sqlEngineConformance(
  name: string,
  factory: () => SqlEngine | Promise<SqlEngine>,
  options: SqlEngineConformanceOptions = {},
): void {
  const placeholder = options.placeholder ?? ((index: number) => `$${index}`);
  const named =
    "namedPlaceholder" in options ? options.namedPlaceholder : (key: string) => `$${key}`;
  const series =
    options.seriesSql ?? ((n: number) => `SELECT range + 1 AS x FROM range(${n}) ORDER BY x`);
  const slowSql =
    options.slowSql ?? "SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b";
  const tableName =
    "tableName" in options ? options.tableName : (suffix: string) => `conformance_${suffix}`;

  describe(`SqlEngine conformance: ${name}`, () => {
    let engine: SqlEngine;
    beforeAll(async () => {
      engine = await factory();
    });
    afterAll(async () => {
      if (engine === undefined) return;
      if (options.teardown) await options.teardown(engine);
      else await engine.close?.();
    });

    it("names its dialect", () => {
      expect(engine.dialect).toMatch(/^[a-z]+$/);
    });

    it("returns rows as objects with the result's columns", async () => {
      const result = await engine.query("SELECT 1 AS one, 'two' AS two, true AS three");
      expect(result.columns.map((column) => column.name)).toEqual(["one", "two", "three"]);
      for (const column of result.columns) expect(column.type).toBeTypeOf("string");
      expect(result.rows).toEqual([{ one: 1, two: "two", three: true }]);
    });

    it("binds positional parameters", async () => {
      const { rows } = await engine.query(
        `SELECT ${placeholder(1)} AS a, ${placeholder(2)} AS b, ${placeholder(3)} AS c`,
        { params: ["text", 42, null] },
      );
      expect(rows).toEqual([{ a: "text", b: 42, c: null }]);
    });

    it.skipIf(named === undefined)("binds named parameters", async () => {
      const name = named as (key: string) => string;
      const { rows } = await engine.query(`SELECT ${name("city")} AS city, ${name("n")} + 1 AS n`, {
        params: { city: "Zürich", n: 41 },
      });
      expect(rows).toEqual([{ city: "Zürich", n: 42 }]);
    });

    it("converts values: BIGINT → bigint, DECIMAL → exact number or string, TIMESTAMP → Date, BLOB → Uint8Array", async () => {
      const { rows } = await engine.query(
        [
          "SELECT CAST(9007199254740993 AS BIGINT) AS big",
          "CAST('12.50' AS DECIMAL(10,2)) AS money",
          "CAST('12345678901234567.89' AS DECIMAL(20,2)) AS wide",
          "TIMESTAMP '2024-01-02 03:04:05.123' AS at",
          "from_hex('CAFE') AS bytes",
          "CAST(NULL AS VARCHAR) AS nothing",
          "CAST(1.5 AS DOUBLE) AS ratio",
        ].join(", "),
      );
      const row = rows[0] as Record<string, unknown>;
      expect(row.big).toBe(9007199254740993n);
      expect(row.money).toBe(12.5);
      expect(row.wide).toBe("12345678901234567.89");
      expect(row.at).toEqual(new Date("2024-01-02T03:04:05.123Z"));
      expect(row.bytes).toBeInstanceOf(Uint8Array);
      expect(Array.from(row.bytes as Uint8Array)).toEqual([0xca, 0xfe]);
      expect(row.nothing).toBeNull();
      expect(row.ratio).toBe(1.5);
    });

    it("binds Date, bigint and byte parameters", async () => {
      const at = new Date("2024-05-06T07:08:09.010Z");
      const { rows } = await engine.query(
        `SELECT ${placeholder(1)} AS at, ${placeholder(2)} AS big, ${placeholder(3)} AS bytes`,
        { params: [at, 2n ** 62n, new Uint8Array([1, 2, 3])] },
      );
      const row = rows[0] as Record<string, unknown>;
      expect(row.at).toEqual(at);
      expect(row.big).toBe(2n ** 62n);
      expect(Array.from(row.bytes as Uint8Array)).toEqual([1, 2, 3]);
    });

    it("streams a result in batches, in order", async () => {
      const sizes: number[] = [];
      let expected = 1n;
      for await (const batch of engine.stream<{ x: bigint }>(series(25_000), {
        batchSize: 10_000,
      })) {
        expect(batch.columns.map((column) => column.name)).toEqual(["x"]);
        sizes.push(batch.rows.length);
        for (const row of batch.rows) expect(BigInt(row.x)).toBe(expected++);
      }
      expect(expected).toBe(25_001n);
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      for (const size of sizes.slice(0, -1)) expect(size).toBeLessThan(20_000);
    });

    it("stops a stream when the loop breaks, and keeps working", async () => {
      let batches = 0;
      for await (const _ of engine.stream(series(1_000_000), { batchSize: 1_000 })) {
        batches++;
        if (batches === 2) break;
      }
      expect(batches).toBe(2);
      const { rows } = await engine.query("SELECT 7 AS seven");
      expect(rows).toEqual([{ seven: 7 }]);
    });

    it("rejects bad SQL with the engine's message", async () => {
      await expect(engine.query("SELECT no_such_column FROM (SELECT 1 AS a) t")).rejects.toThrow(
        /no_such_column/,
      );
    });

    it("cancels a running query when the signal aborts, with the signal's reason", async () => {
      const controller = new AbortController();
      const reason = new Error("phase timed out");
      const started = Date.now();
      setTimeout(() => controller.abort(reason), 200);
      await expect(engine.query(slowSql, { signal: controller.signal })).rejects.toBe(reason);
      expect(Date.now() - started).toBeLessThan(10_000);
      // The engine is still usable afterwards.
      expect((await engine.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    });

    it("cancels a stream when the signal aborts", async () => {
      const controller = new AbortController();
      const reason = new Error("stop streaming");
      const consume = async () => {
        for await (const _ of engine.stream(series(10_000_000), {
          batchSize: 1_000,
          signal: controller.signal,
        })) {
          controller.abort(reason);
        }
      };
      await expect(consume()).rejects.toBe(reason);
    });

    it("rejects at once when the signal is already aborted", async () => {
      const reason = new Error("already cancelled");
      await expect(
        engine.query("SELECT 1 AS one", { signal: AbortSignal.abort(reason) }),
      ).rejects.toBe(reason);
      await expect(
        engine.execute("SELECT 1 AS one", { signal: AbortSignal.abort(reason) }),
      ).rejects.toBe(reason);
    });

    it.skipIf(tableName === undefined)("executes statements and reports changed rows", async () => {
      const table = (tableName as (suffix: string) => string)(
        crypto.randomUUID().replaceAll("-", "").slice(0, 12),
      );
      await engine.execute(`CREATE TABLE ${table} (id BIGINT, label VARCHAR)`);
      try {
        const inserted = await engine.execute(
          `INSERT INTO ${table} VALUES (1, 'a'), (2, 'b'), (3, 'c')`,
        );
        if (inserted.rowsAffected !== undefined) expect(inserted.rowsAffected).toBe(3);
        const { rows } = await engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
        expect(BigInt(rows[0]?.n ?? 0)).toBe(3n);
      } finally {
        await engine.execute(`DROP TABLE ${table}`);
      }
    });
  });
}
