import { DuckDBTypeId } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { columnReader } from "../src/duckdb/column-reader.js";
import { createDuckDbEngine, duckDbValueConverter } from "../src/duckdb/index.js";
import { rawVector } from "../src/duckdb/raw-vector.js";

// Query and stream read whole columns straight from DuckDB's vectors for the common
// types. They must give exactly what converting each value with duckDbValueConverter
// gives (the way rows were read before): these tests compare the two on edge values,
// NULLs at every position, and past the 2048 rows of one chunk.
describe("DuckDbEngine values, column by column", () => {
  const engine = createDuckDbEngine({ threads: 2 });
  afterAll(() => engine.close());

  // Row by row through the converter: the reference.
  function reference(sql: string): Promise<Record<string, unknown>[]> {
    return engine.withConnection(async (connection) =>
      (await connection.run(sql)).convertRowObjects(duckDbValueConverter),
    );
  }

  async function streamed(sql: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const batch of engine.stream(sql, { batchSize: 1000 })) rows.push(...batch.rows);
    return rows;
  }

  async function expectSameAsReference(sql: string): Promise<Record<string, unknown>[]> {
    const expected = await reference(sql);
    for (const rows of [(await engine.query(sql)).rows, await streamed(sql)]) {
      expect(rows).toHaveLength(expected.length);
      rows.forEach((row, index) => {
        const want = expected[index] as Record<string, unknown>;
        // Same keys in the same order, and values equal to the last bit: toStrictEqual
        // tells 0 from -0, a Date from a string, 1 from 1n.
        expect(Object.keys(row)).toEqual(Object.keys(want));
        // A STRUCT column named __proto__ sets the row's prototype, as assignment does.
        expect(Object.getPrototypeOf(row)).toStrictEqual(Object.getPrototypeOf(want));
        expect(row).toStrictEqual(want);
      });
    }
    return expected;
  }

  /**
   * 3000 generated rows (two chunks, many validity words; every third value NULL) and
   * hand-picked edge rows, each column cast to its type at the end: a UNION of literals
   * would otherwise widen it (DECIMAL(4,1) ∪ 0 is DECIMAL(11,1)) and miss the fast path.
   */
  async function expectColumns(
    columns: Record<string, { type: string; generated: string }>,
    edges: readonly (readonly string[])[],
  ): Promise<Record<string, unknown>[]> {
    const names = Object.keys(columns);
    const generated = names.map(
      (name) => `CASE WHEN i % 3 = 1 THEN NULL ELSE ${columns[name]?.generated} END AS "${name}"`,
    );
    const edgeRows = edges.map(
      (values, index) =>
        `SELECT ${-1 - index} AS i, ${values.map((value, n) => `${value} AS "${names[n]}"`).join(", ")}`,
    );
    const sql = `SELECT i, ${names.map((name) => `"${name}"::${columns[name]?.type} AS "${name}"`).join(", ")}
      FROM (SELECT i, ${generated.join(", ")} FROM range(3000) t(i)
        ${edgeRows.map((row) => `UNION ALL ${row}`).join("\n")})
      ORDER BY i`;
    const { columns: described } = await engine.query(`${sql} LIMIT 0`);
    const normal = (type: string | undefined) =>
      type?.replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE").replace(/["\s]/g, "");
    expect(described.slice(1).map((column) => normal(column.type))).toEqual(
      names.map((name) => normal(columns[name]?.type)),
    );
    return expectSameAsReference(sql);
  }

  const at = (rows: Record<string, unknown>[], i: number) =>
    rows.find((row) => row.i === BigInt(i));

  it("integers, floats and booleans", async () => {
    const rows = await expectColumns(
      {
        tiny: { type: "TINYINT", generated: "i % 256 - 128" },
        small: { type: "SMALLINT", generated: "i * 37 % 65536 - 32768" },
        int: { type: "INTEGER", generated: "i * 1000003 % 4294967296 - 2147483648" },
        big: { type: "BIGINT", generated: "(i * 1000000007 - 1500000000000) * 3074457" },
        utiny: { type: "UTINYINT", generated: "i % 256" },
        usmall: { type: "USMALLINT", generated: "i * 37 % 65536" },
        uint: { type: "UINTEGER", generated: "i * 1000003 % 4294967296" },
        ubig: { type: "UBIGINT", generated: "(i * 1000000007)::UBIGINT * 6000000" },
        float: { type: "FLOAT", generated: "i / 7 - 200" },
        double: { type: "DOUBLE", generated: "i / 7 - 200" },
        bool: { type: "BOOLEAN", generated: "i % 2 = 0" },
      },
      [
        [
          "-128",
          "-32768",
          "-2147483648",
          "-9223372036854775808",
          "255",
          "65535",
          "4294967295",
          "18446744073709551615",
          "'-0.0'",
          "'-0.0'",
          "false",
        ],
        [
          "127",
          "32767",
          "2147483647",
          "9223372036854775807",
          "0",
          "0",
          "0",
          "0",
          "'nan'",
          "'nan'",
          "true",
        ],
        ["0", "0", "0", "0", "0", "0", "0", "0", "'-inf'", "'inf'", "NULL"],
        ["0", "0", "0", "0", "0", "0", "0", "0", "3.4e38", "5e-324", "NULL"],
      ],
    );
    expect(at(rows, -2)).toMatchObject({ big: 9223372036854775807n, tiny: 127 });
    expect(at(rows, -4)).toMatchObject({ double: 5e-324 });
    expect(Object.is(at(rows, -1)?.double, -0)).toBe(true);
  });

  it("dates and timestamps, before 1970 too, truncated to milliseconds toward zero", async () => {
    const rows = await expectColumns(
      {
        date: { type: "DATE", generated: "DATE '1850-03-01' + (i * 97)::INTEGER" },
        ts: {
          type: "TIMESTAMP",
          generated: "TIMESTAMP '1960-01-01' + to_microseconds(i * 987654321123)",
        },
        tz: {
          type: "TIMESTAMPTZ",
          generated: "TIMESTAMPTZ '1969-12-31 23:59:59+00' + to_microseconds(i * 333)",
        },
      },
      [
        [
          "DATE '1969-12-31'",
          "TIMESTAMP '1969-12-31 23:59:59.999999'",
          "TIMESTAMPTZ '1969-12-31 23:59:59.998001+00'",
        ],
        [
          "DATE '0001-01-01'",
          "TIMESTAMP '0001-01-01 00:00:00.000001'",
          "TIMESTAMPTZ '9999-12-31 23:59:59.999999+00'",
        ],
        // 2^53 µs is 2255-06-05 23:47:34.740992: the last exact double, and beyond it.
        [
          "DATE '9999-12-31'",
          "TIMESTAMP '2300-06-01 12:00:00.123456'",
          "TIMESTAMPTZ '2255-06-05 23:47:34.740991+00'",
        ],
        [
          "DATE '1970-01-01'",
          "TIMESTAMP '1970-01-01 00:00:00.000999'",
          "TIMESTAMPTZ '2255-06-05 23:47:34.740993+00'",
        ],
        // Odd microsecond counts past 2^53, one short of a whole millisecond.
        [
          "DATE '1970-01-02'",
          "make_timestamp(9007199254741999)",
          "make_timestamp(-9007199254741999)::TIMESTAMPTZ",
        ],
      ],
    );
    expect(at(rows, -1)).toMatchObject({
      date: new Date("1969-12-31T00:00:00Z"),
      // -1 µs and -1999 µs: whole milliseconds toward zero, as the converter divides.
      ts: new Date("1970-01-01T00:00:00.000Z"),
      tz: new Date("1969-12-31T23:59:59.999Z"),
    });
  });

  it("decimals: exact numbers, and strings when a double cannot hold them", async () => {
    // Scaled values of 1 to 18 digits, both signs: from about 16 digits on, a double no
    // longer holds every decimal.
    const spread =
      "(hash(i) % 999999999999999999)::BIGINT // pow(10, i % 18)::BIGINT * (1 - 2 * (i % 2))";
    const rows = await expectColumns(
      {
        d4: { type: "DECIMAL(4,1)", generated: "((i % 19999) - 9999) * 0.1" },
        d9: { type: "DECIMAL(9,4)", generated: "((i * 7919) % 1999999999 - 999999999) * 0.0001" },
        d18: { type: "DECIMAL(18,2)", generated: `(${spread}) * 0.01` },
        d18s6: { type: "DECIMAL(18,6)", generated: `(${spread}) * 0.000001` },
        d18s0: { type: "DECIMAL(18,0)", generated: spread },
        d38: { type: "DECIMAL(38,10)", generated: "i::HUGEINT * 12345678901234567 * 0.001" },
      },
      [
        ["999.9", "99999.9999", "9999999999999.99", "999999999.999999", "999999999999999", "0"],
        [
          "-999.9",
          "-99999.9999",
          "99999999999999.99",
          "999999999999.999999",
          "9999999999999999",
          "'12345678901234567890.0123456789'",
        ],
        ["0", "0.0001", "-9999999999999999.99", "-0.000001", "-999999999999999999", "-1e-10"],
        ["0.1", "0.1", "0.01", "0.3", "1", "1e-10"],
        // Around 2^53 (9007199254740992) as a scaled integer.
        ["0", "0", "90071992547409.91", "9007199254.740991", "9007199254740991", "0"],
        ["0", "0", "90071992547409.93", "9007199254.740993", "9007199254740993", "0"],
        ["0", "0", "70368744177663.99", "8837852351.877513", "-9007199254740992", "0"],
      ],
    );
    expect(at(rows, -2)).toMatchObject({
      d18: "99999999999999.99",
      d18s6: "999999999999.999999",
      d38: "12345678901234567890.0123456789",
    });
    expect(at(rows, -1)).toMatchObject({ d4: 999.9, d18: 9999999999999.99 });
    // Some generated values are strings: the fallback is exercised, not just the fast path.
    expect(rows.filter((row) => typeof row.d18 === "string").length).toBeGreaterThan(10);
    await expectSameAsReference(
      "SELECT CAST('0.12345678901234567' AS DECIMAL(18,17)) AS a, CAST(0 AS DECIMAL(18,18)) AS b, " +
        "CAST('-0.000000000000000001' AS DECIMAL(18,18)) AS c, CAST(123 AS DECIMAL(3,0)) AS d",
    );
  });

  it("strings: inline (up to 12 bytes) and not, ASCII and not, a BOM, NUL", async () => {
    const rows = await expectColumns(
      {
        ascii: { type: "VARCHAR", generated: "repeat('x', (i % 30)::INTEGER)" },
        accents: {
          type: "VARCHAR",
          generated: "repeat('é', (i % 9)::INTEGER) || (i % 10)::VARCHAR",
        },
        mixed: {
          type: "VARCHAR",
          generated: "left('Zürich — 東京 🚀 and more', (i % 26)::INTEGER)",
        },
      },
      [
        ["''", "'abcdefghijkl'", "'abcdefghijklm'"],
        ["chr(65279) || 'bom'", "chr(0) || 'nul'", "'quote \" \\ tab' || chr(9)"],
        ["'ééééééé'", "'🚀🚀🚀'", "chr(127) || chr(128)"],
      ],
    );
    expect(at(rows, -1)).toMatchObject({
      ascii: "",
      accents: "abcdefghijkl",
      mixed: "abcdefghijklm",
    });
  });

  it("other types through the converter: HUGEINT, BLOB, nested, INTERVAL, UUID, TIME", async () => {
    await expectColumns(
      {
        huge: {
          type: "HUGEINT",
          generated: "i::HUGEINT * 12345678901234567890123456789012345 - 99",
        },
        uhuge: { type: "UHUGEINT", generated: "i::UHUGEINT * 3402823669209384634633746074317682" },
        blob: { type: "BLOB", generated: "encode(i::VARCHAR)" },
        list: { type: "BIGINT[]", generated: "[i, NULL, i + 1]" },
        struct: {
          type: "STRUCT(a BIGINT, b DECIMAL(9,2), c DATE[])",
          generated: "{'a': i, 'b': i / 4, 'c': [DATE '2024-01-01' + i::INTEGER]}",
        },
        map: { type: "MAP(VARCHAR, VARCHAR)", generated: "MAP {'k': i::VARCHAR}" },
        interval: { type: "INTERVAL", generated: "to_seconds(i)" },
        uuid: {
          type: "UUID",
          generated: "('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))",
        },
        time: { type: "TIME", generated: "TIME '00:00:00' + to_seconds(i)" },
        ts_ms: {
          type: "TIMESTAMP_MS",
          generated: "TIMESTAMP_MS '2024-01-01 00:00:00.123' + to_seconds(i)",
        },
        ts_ns: {
          type: "TIMESTAMP_NS",
          generated: "TIMESTAMP_NS '2024-01-01 00:00:00.123456789' + to_seconds(i)",
        },
      },
      [],
    );
  });

  it("columns named like integers, __proto__, or twice", async () => {
    await expectSameAsReference(
      `SELECT 1 AS "__proto__", 2 AS "10", 3 AS "2", 'a' AS a, 'b' AS a, i AS "constructor"
       FROM range(3) t(i)`,
    );
    await expectSameAsReference(`SELECT {'x': 1} AS "__proto__", 1 AS b FROM range(3)`);
    await expectSameAsReference(
      `SELECT ${Array.from({ length: 60 }, (_, n) => `${n} + i AS c${n}`).join(", ")} FROM range(10) t(i)`,
    );
  });

  it("fails as row-by-row conversion did on values outside the JavaScript Date range", async () => {
    for (const sql of [
      "SELECT i, CASE WHEN i = 2500 THEN 'infinity'::DATE ELSE DATE '2024-01-01' END AS d FROM range(3000) t(i)",
      "SELECT i, CASE WHEN i = 5 THEN 'infinity'::TIMESTAMP ELSE TIMESTAMP '2024-01-01' END AS t, " +
        "CASE WHEN i = 3 THEN '-infinity'::DATE END AS d FROM range(10) t(i)",
    ]) {
      const expected = await reference(sql).catch((error: Error) => error.message);
      expect(expected).toMatch(/out of range for JS Date/);
      await expect(engine.query(sql)).rejects.toThrow(expected as string);
      await expect(streamed(sql)).rejects.toThrow(expected as string);
    }
  });

  it("reads every fast type without the library's per-value getItem", async () => {
    await engine.withConnection(async (connection) => {
      const result = await connection.run(
        `SELECT i::TINYINT AS a, i::SMALLINT AS b, i::INTEGER AS c, i::BIGINT AS d,
          i::UTINYINT AS e, i::USMALLINT AS f, i::UINTEGER AS g, i::UBIGINT AS h,
          i::FLOAT AS j, i::DOUBLE AS k, i % 2 = 0 AS l, DATE '2024-01-01' + i::INTEGER AS m,
          TIMESTAMP '2024-01-01' + to_seconds(i) AS n, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS o,
          i::DECIMAL(4,1) AS p, i::DECIMAL(9,2) AS q, i::DECIMAL(18,3) AS r, i::VARCHAR AS s,
          CASE WHEN i % 2 = 0 THEN i END AS t
        FROM range(100) t(i)`,
      );
      const types = result.columnTypes();
      const chunk = (await result.fetchAllChunks())[0];
      types.forEach((type, column) => {
        const vector = chunk?.getColumnVector(column);
        if (vector === undefined) throw new Error("no chunk");
        vector.getItem = () => {
          throw new Error(`${type} went through getItem`);
        };
        const values: unknown[] = [];
        columnReader(type)(vector, values);
        expect(values).toHaveLength(100);
      });
    });
  });

  it("reads the library's vectors directly for the fast types", async () => {
    // A failure here means @duckdb/node-api changed its internals: values stay right
    // (the readers fall back to getItem) but reading is several times slower.
    const expected: Record<string, [DuckDBTypeId, string]> = {
      tiny: [DuckDBTypeId.TINYINT, "Int8Array"],
      int: [DuckDBTypeId.INTEGER, "Int32Array"],
      big: [DuckDBTypeId.BIGINT, "BigInt64Array"],
      double: [DuckDBTypeId.DOUBLE, "Float64Array"],
      date: [DuckDBTypeId.DATE, "Int32Array"],
      tz: [DuckDBTypeId.TIMESTAMP_TZ, "BigInt64Array"],
      bool: [DuckDBTypeId.BOOLEAN, "DataView"],
      money: [DuckDBTypeId.DECIMAL, "DataView"],
      text: [DuckDBTypeId.VARCHAR, "DataView"],
    };
    await engine.withConnection(async (connection) => {
      const result = await connection.run(
        `SELECT i::TINYINT AS tiny, CASE WHEN i % 2 = 0 THEN i END::INTEGER AS int, i::BIGINT AS big,
          i::DOUBLE AS double, DATE '2024-01-01' AS date, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS tz,
          true AS bool, 1.5::DECIMAL(18,2) AS money, 'x' AS text FROM range(100) t(i)`,
      );
      const chunk = (await result.fetchAllChunks())[0];
      const names = result.deduplicatedColumnNames();
      names.forEach((name, column) => {
        const vector = chunk?.getColumnVector(column);
        const raw = vector === undefined ? undefined : rawVector(vector);
        const [typeId, kind] = expected[name] as [DuckDBTypeId, string];
        expect(vector?.type.typeId).toBe(typeId);
        expect(raw, name).toBeDefined();
        const data = kind === "DataView" ? raw?.dataView : raw?.items;
        expect((data as object).constructor.name, name).toBe(kind);
        expect(raw?.validity === null, name).toBe(name !== "int");
      });
    });
  });
});
