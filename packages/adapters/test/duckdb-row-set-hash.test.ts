import { createRowSetHash, type SqlEngine } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalRowSql } from "../src/duckdb/canonical-row-sql.js";
import { duckDbRowSetHash } from "../src/duckdb/duckdb-row-set-hash.js";
import { createDuckDbEngine } from "../src/duckdb/index.js";

// The definition: rows streamed through the engine into createRowSetHash.
async function jsHash(engine: SqlEngine, relation: string, columns: string[], exclude: string[]) {
  const hash = createRowSetHash({ exclude });
  const kept = columns.filter((name) => !exclude.includes(name));
  const select = (kept.length > 0 ? kept : columns.slice(0, 1))
    .map((c) => `"${c.replaceAll('"', '""')}"`)
    .join(", ");
  for await (const batch of engine.stream(`SELECT ${select} FROM ${relation}`)) {
    hash.update(batch.rows);
  }
  return hash.digest();
}

// The engine with its stream() calls counted: the SQL path streams no row.
function counting(engine: SqlEngine) {
  const counter = { streams: 0 };
  const wrapped: SqlEngine = {
    dialect: engine.dialect,
    query: (sql, options) => engine.query(sql, options),
    execute: (sql, options) => engine.execute(sql, options),
    stream: (sql, options) => {
      counter.streams += 1;
      return engine.stream(sql, options);
    },
  };
  return { engine: wrapped, counter };
}

describe("duckDbRowSetHash", () => {
  const engine = createDuckDbEngine({ threads: 2 });
  afterAll(() => engine.close());
  let tables = 0;

  /** Creates a table of `values` (SQL expressions, one row each) in a column of `type`. */
  async function table(type: string, values: string[], extra = ""): Promise<string> {
    const name = `t${tables++}`;
    await engine.execute(`CREATE TABLE ${name} (v ${type}${extra ? `, ${extra}` : ""})`);
    for (const value of values) await engine.execute(`INSERT INTO ${name} (v) VALUES (${value})`);
    return name;
  }

  async function expectSame(
    relation: string,
    columns: string[],
    options: { exclude?: string[]; inSql: boolean },
  ) {
    const { engine: wrapped, counter } = counting(engine);
    const exclude = options.exclude ?? [];
    const ours = await duckDbRowSetHash(wrapped, relation, columns, { exclude });
    expect(ours).toEqual(await jsHash(engine, relation, columns, exclude));
    expect(counter.streams === 0).toBe(options.inSql);
    return ours;
  }

  const control = Array.from({ length: 32 }, (_, code) => `chr(${code})`).join(" || ");
  const cases: [string, string[]][] = [
    [
      "VARCHAR",
      [
        "NULL",
        "''",
        "'plain'",
        "'a longer string than twelve bytes'",
        `'quote " and backslash \\ and slash /'`,
        `'mixed ' || ${control} || ' end'`,
        "chr(127) || chr(128) || chr(8232) || chr(8233) || chr(65279)",
        "'é ü 日本 𝄞 😀 \\u0000'",
        "'null'",
        "'\"\"'",
      ],
    ],
    // Text that looks like an escape: to_json writes `\\u001F`, which is no escape to fix.
    [
      "VARCHAR",
      [
        "'\\u001F'",
        "'\\' || chr(31)",
        "'\\u000B' || chr(11) || '\\\\u000E'",
        "chr(31) || '\\u001F \\\\ \\u00'",
        "'\\\\' || chr(27) || '\\'",
        "NULL",
      ],
    ],
    ["BOOLEAN", ["true", "false", "NULL"]],
    ["TINYINT", ["-128", "127", "0", "NULL"]],
    ["SMALLINT", ["-32768", "32767"]],
    ["INTEGER", ["-2147483648", "2147483647", "0", "NULL"]],
    ["UTINYINT", ["255"]],
    ["USMALLINT", ["65535"]],
    ["UINTEGER", ["4294967295"]],
    [
      "BIGINT",
      ["-9223372036854775808", "9223372036854775807", "9007199254740993", "0", "-1", "NULL"],
    ],
    ["UBIGINT", ["18446744073709551615", "0"]],
    ["HUGEINT", ["-170141183460469231731687303715884105728", "12345678901234567890123", "NULL"]],
    [
      "DECIMAL(18,2)",
      [
        "0",
        "-0.00",
        "12.50",
        "-0.05",
        "10",
        "9999999999999.99",
        "-9999999999999.99",
        "0.01",
        "NULL",
      ],
    ],
    // Every number of trailing zeros, both signs, below 1 and near the largest exact value.
    [
      "DECIMAL(18,3)",
      [
        "1.000",
        "1.100",
        "1.010",
        "1.001",
        "-0.100",
        "-0.010",
        "-0.001",
        "999999999999.990",
        "NULL",
      ],
    ],
    ["DECIMAL(4,1)", ["-0.5", "999.9", "0", "-999.0", "NULL"]],
    // HUGEINT-backed decimals, and scales at the limits.
    ["DECIMAL(20,4)", ["12345678901.2340", "-0.0001", "10.0000", "-99999999999.9999", "NULL"]],
    // No integer digits: DuckDB writes these as ".5".
    ["DECIMAL(6,6)", ["0.000001", "0.100000", "-0.999999", "0", "NULL"]],
    ["DECIMAL(2,2)", ["0.5", "-0.05", "0.99", "0"]],
    ["DECIMAL(38,38)", ["0", "NULL"]],
    ["DECIMAL(9,0)", ["100", "-123456789", "0"]],
    ["DECIMAL(38,10)", ["0.0000010000", "0.0000123", "-12345.6789", "1e4", "0"]],
    ["DECIMAL(38,20)", ["0.000001", "0.0000012345", "0"]],
    [
      "DATE",
      ["DATE '2024-02-29'", "DATE '1970-01-01'", "DATE '1969-12-31'", "DATE '0999-01-02'", "NULL"],
    ],
    ["DATE", ["DATE '0001-01-01'", "DATE '9999-12-31'", "DATE '1582-10-04'"]],
    [
      "TIMESTAMP",
      [
        "TIMESTAMP '2024-01-02 03:04:05.123456'",
        "TIMESTAMP '2024-01-02 03:04:05.999999'",
        "TIMESTAMP '1969-12-31 23:59:59.9985'",
        "TIMESTAMP '1900-06-15 12:00:00.0005'",
        "TIMESTAMP '0001-01-01 00:00:00'",
        "TIMESTAMP '9999-12-31 23:59:59.999999'",
        "TIMESTAMP '2300-01-01 00:00:00.000999'",
        "NULL",
      ],
    ],
    // Milliseconds with trailing zeros (DuckDB drops them), and truncation before 1970
    // that crosses a second, a day and a year.
    [
      "TIMESTAMP",
      [
        "TIMESTAMP '2024-01-01 00:00:00'",
        "TIMESTAMP '2024-01-01 00:00:00.1'",
        "TIMESTAMP '2024-01-01 00:00:00.12'",
        "TIMESTAMP '2024-01-01 00:00:00.0001'",
        "TIMESTAMP '1969-12-31 23:59:59.100'",
        "TIMESTAMP '1969-12-31 23:59:59.0001'",
        "TIMESTAMP '1969-12-31 23:59:59.9999'",
        "TIMESTAMP '1899-12-31 23:59:59.9995'",
        "TIMESTAMP '0001-01-01 00:00:00.001'",
        "TIMESTAMP '9999-12-31 23:59:59.999'",
        "NULL",
      ],
    ],
    [
      "TIMESTAMPTZ",
      [
        "TIMESTAMPTZ '2024-01-02 03:04:05.123456+02'",
        "TIMESTAMPTZ '1969-12-31 23:59:59.9995+00'",
        "TIMESTAMPTZ '1960-01-01 00:00:00-05:30'",
        "TIMESTAMPTZ '1969-12-31 23:59:59.12+00'",
        "TIMESTAMPTZ '2024-06-30 23:30:00.1-01'",
        "NULL",
      ],
    ],
    // Only NULLs, in types whose values may be out of reach: nothing is.
    ["DECIMAL(38,0)", ["NULL", "NULL"]],
    ["TIMESTAMP", ["NULL"]],
  ];

  for (const [type, values] of cases) {
    it(`matches the JavaScript hash for ${type} in SQL (${values.slice(0, 3).join(", ")}…)`, async () => {
      const name = await table(type, values);
      await expectSame(name, ["v"], { inSql: true });
    });
  }

  it("falls back to JavaScript, with the same result, for values SQL does not render", async () => {
    const fallbacks: [string, string[]][] = [
      ["DOUBLE", ["0.1", "-0.0", "1e21", "1e-7", "'NaN'", "'Infinity'", "'-Infinity'", "NULL"]],
      ["FLOAT", ["0.1", "3.4e38"]],
      ["BLOB", ["'\\xAA\\x00'::BLOB"]],
      ["INTEGER[]", ["[1, 2]"]],
      ["STRUCT(b INTEGER, a VARCHAR)", ["{'b': 1, 'a': 'x'}"]],
      // 16 significant digits: not a double's exact value.
      ["DECIMAL(18,2)", ["1", "12345678901234.56"]],
      ["DECIMAL(38,0)", ["1", "100000000000000000000"]],
      ["DECIMAL(18,2)", ["NULL", "-12345678901234.56"]],
      // A scaled integer of 10^15 or more: conservatively left to JavaScript.
      ["DECIMAL(38,20)", ["0.5"]],
      // Below 10^-6: JSON writes it with an exponent.
      ["DECIMAL(18,9)", ["1", "0.000000123"]],
      ["DATE", ["DATE '2024-01-01'", "DATE '10000-01-01'"]],
      ["DATE", ["NULL", "DATE '0001-12-31 (BC)'"]],
      // One microsecond before year 1.
      ["TIMESTAMP", ["TIMESTAMP '0001-01-01 00:00:00'", "make_timestamp(-62135596800000001)"]],
      ["TIMESTAMP", ["TIMESTAMP '2024-01-01'", "TIMESTAMP '12000-01-01'"]],
      [
        "TIMESTAMPTZ",
        ["TIMESTAMPTZ '2024-01-01 00:00:00+00'", "TIMESTAMPTZ '0001-01-01 00:00:00+01'"],
      ],
    ];
    for (const [type, values] of fallbacks) {
      const name = await table(type, values);
      await expectSame(name, ["v"], { inSql: false });
    }
  });

  it("sorts columns by name, leaves excluded ones out and counts duplicate rows", async () => {
    await engine.execute(
      `CREATE TABLE wide ("h" VARCHAR, "a" BIGINT, "Bz" DATE, "_ingested_at" TIMESTAMPTZ, "é" INTEGER, "1" INTEGER, "with ""quote""" VARCHAR, "j" VARCHAR, "c0" DECIMAL(38,2), "n" INTEGER)`,
    );
    // Named as the hashing query names its own columns (h, j, c0, n): no clash.
    const row = `('x', 1, DATE '2024-01-01', now(), 5, 7, 'q', 'j', 1.50, 3)`;
    await engine.execute(
      `INSERT INTO wide VALUES ${row}, ${row}, ('y', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    const columns = ["h", "a", "Bz", "_ingested_at", "é", "1", 'with "quote"', "j", "c0", "n"];
    const all = await expectSame("wide", columns, { inSql: true });
    expect(all.rowCount).toBe(3);
    const excluded = await expectSame("wide", columns, { exclude: ["_ingested_at"], inSql: true });
    expect(excluded.sha256).not.toBe(all.sha256);
    // Every column excluded: rows still count, each as "[]".
    const none = await expectSame("wide", columns, { exclude: columns, inSql: true });
    expect(none.rowCount).toBe(3);
  });

  it("fixes escapes for the whole row without touching column names or escaped backslashes", async () => {
    // Names with a backslash and a control character (JSON.stringify escapes them in
    // lowercase), beside strings that need the fix and strings that only look like it.
    const names = ["back\\slash", "ctl\u001fname", "s"];
    await engine.execute(
      `CREATE TABLE escapes (${names.map((n) => `"${n}" VARCHAR`).join(", ")}, n INTEGER)`,
    );
    await engine.execute(
      `INSERT INTO escapes VALUES ('\\u001F', chr(11), '\\\\' || chr(31), 1), (chr(31) || '\\', NULL, '\\u000b', 2), ('plain', 'x', NULL, NULL)`,
    );
    const all = await expectSame("escapes", [...names, "n"], { inSql: true });
    expect(all.rowCount).toBe(3);
  });

  it("hashes an empty relation as the empty set", async () => {
    const name = await table("VARCHAR", []);
    const empty = await expectSame(name, ["v"], { inSql: true });
    expect(empty).toEqual(createRowSetHash().digest());
  });

  it("agrees with JavaScript on random rows of every rendered type", async () => {
    const random = seeded(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const chars = [
      "a",
      "Z",
      "0",
      " ",
      '"',
      "\\",
      "/",
      "é",
      "日",
      "😀",
      "\n",
      "\t",
      "\u0001",
      "\u001f",
      "\u007f",
      "\u2028",
    ];
    await engine.execute(
      "CREATE TABLE fuzz (s VARCHAR, i INTEGER, b BIGINT, d2 DECIMAL(18,2), d6 DECIMAL(12,6), dt DATE, ts TIMESTAMP, tz TIMESTAMPTZ, f BOOLEAN)",
    );
    const rows: string[] = [];
    for (let n = 0; n < 400; n++) {
      const text = Array.from({ length: Math.floor(random() * 20) }, () => pick(chars)).join("");
      const literal = `'${text.replaceAll("'", "''")}'`;
      const micros =
        BigInt(Math.floor((random() - 0.4) * 2 ** 45)) * 1000n +
        BigInt(Math.floor(random() * 1000));
      const nullable = (sql: string) => (random() < 0.1 ? "NULL" : sql);
      rows.push(
        `(${[
          nullable(literal),
          nullable(String(Math.floor((random() - 0.5) * 2 ** 32))),
          nullable(String(BigInt(Math.floor((random() - 0.5) * 2 ** 53)) * 1024n)),
          nullable(((random() - 0.5) * 2e13).toFixed(2)),
          nullable(((random() - 0.5) * 2e5).toFixed(6)),
          nullable(`DATE '1970-01-01' + ${Math.floor((random() - 0.5) * 1e6)}`),
          nullable(`make_timestamp(${micros})`),
          nullable(`make_timestamp(${micros})::TIMESTAMPTZ`),
          nullable(random() < 0.5 ? "true" : "false"),
        ].join(", ")})`,
      );
    }
    await engine.execute(`INSERT INTO fuzz VALUES ${rows.join(", ")}`);
    await expectSame("fuzz", ["s", "i", "b", "d2", "d6", "dt", "ts", "tz", "f"], { inSql: true });
  });

  it("renders the canonical text the JavaScript hash writes", () => {
    const empty = canonicalRowSql([]);
    expect(empty?.json).toBe("'[]'");
    expect(empty?.canonical("j")).toBe("j");
    expect(canonicalRowSql([{ name: "x", type: "DOUBLE" }])).toBeUndefined();
    const row = canonicalRowSql([
      { name: "b", type: "INTEGER" },
      { name: "a", type: "BIGINT" },
    ]);
    expect(row?.json).toBe(
      `concat(CASE WHEN "a" IS NULL THEN '[["a",null' ELSE '[["a","' END, CAST("a" AS VARCHAR), CASE WHEN "a" IS NOT NULL THEN '"' END, '],["b",', COALESCE(CAST("b" AS VARCHAR), 'null'), ']]')`,
    );
    // Without strings there are no escapes to fix.
    expect(row?.canonical("j")).toBe("j");
    expect(row?.inexact).toEqual([]);
    expect(canonicalRowSql([{ name: "s", type: "VARCHAR" }])?.canonical("j")).toMatch(
      /^CASE WHEN contains\(j, '\\u00'\) THEN replace\(/,
    );
    // Checks are aggregates over the column as the hashing query names it.
    const checks = canonicalRowSql([
      { name: "d", type: "DECIMAL(38,2)" },
      { name: "n", type: "DECIMAL(9,2)" },
    ])?.inexact;
    expect(checks?.map((check) => check.column)).toEqual(['"d"']);
    expect(checks?.[0]?.aggregate("c0")).toBe(
      "max(c0) >= CAST('10000000000000' AS DECIMAL(38,2)) OR min(c0) <= -CAST('10000000000000' AS DECIMAL(38,2))",
    );
  });

  it("leaves infinite dates and timestamps to JavaScript, which rejects them as the engine does", async () => {
    for (const [type, value] of [
      ["DATE", "'infinity'"],
      ["TIMESTAMP", "'-infinity'"],
      ["TIMESTAMPTZ", "'infinity'"],
    ] as const) {
      const name = await table(type, ["NULL", value]);
      await expect(duckDbRowSetHash(engine, name, ["v"])).rejects.toThrow(/out of range/);
    }
  });
});

// A small deterministic generator (mulberry32), so a failure reproduces.
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
