import { createRowSetHash, ROW_SET_HASH_V1, type SqlEngine } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { duckDbRowSetHash } from "../src/duckdb/duckdb-row-set-hash.js";
import { createDuckDbEngine } from "../src/duckdb/index.js";
import { queryRecordingEngine } from "./query-recording-engine.js";
import { rowSetDigestV2 } from "./row-set-digest-v2.js";

// The engine with its stream() calls counted: the hash reads no row into JavaScript.
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

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

// Every type a lakehouse table can have (Delta's and Iceberg's through logicalTypeSql),
// one column each, with values that include NULLs, extremes and nested shapes.
const COLUMNS: [name: string, type: string, values: string[]][] = [
  ["s", "VARCHAR", ["NULL", "''", "'plain'", "'é 日本 😀'", "'a' || chr(0) || 'b'"]],
  ["b", "BOOLEAN", ["true", "false", "NULL", "true", "false"]],
  ["i8", "TINYINT", ["-128", "127", "0", "NULL", "1"]],
  ["i16", "SMALLINT", ["-32768", "32767", "0", "NULL", "2"]],
  ["i32", "INTEGER", ["-2147483648", "2147483647", "0", "NULL", "3"]],
  [
    "i64",
    "BIGINT",
    ["-9223372036854775808", "9223372036854775807", "9007199254740993", "NULL", "4"],
  ],
  ["i128", "HUGEINT", ["-170141183460469231731687303715884105728", "1", "0", "NULL", "5"]],
  ["dec", "DECIMAL(18,2)", ["-9999999999999999.99", "12.50", "0.01", "NULL", "-0.05"]],
  [
    "wide",
    "DECIMAL(38,10)",
    ["1234567890123456789012345678.0123456789", "0", "NULL", "-1", "1e-10"],
  ],
  ["f64", "DOUBLE", ["1.5", "-0.0", "'NaN'", "'-Infinity'", "NULL"]],
  ["f32", "FLOAT", ["1.5", "3.4e38", "NULL", "0", "-1"]],
  ["d", "DATE", ["'2024-02-29'", "'0001-01-01'", "'infinity'", "NULL", "'1969-12-31'"]],
  [
    "ts",
    "TIMESTAMP",
    [
      "'2024-01-01 01:02:03.456789'",
      "'1969-12-31 23:59:59.999999'",
      "NULL",
      "'9999-12-31 23:59:59'",
      "'2000-01-01'",
    ],
  ],
  [
    "tz",
    "TIMESTAMPTZ",
    [
      "'2024-01-01 01:02:03.456789+00'",
      "'2024-01-01 01:02:03.456789+02'",
      "NULL",
      "'1900-01-01 00:00:00+00'",
      "'2000-01-01 00:00:00+00'",
    ],
  ],
  ["t", "TIME", ["'01:02:03.5'", "NULL", "'00:00:00'", "'23:59:59.999999'", "'12:00'"]],
  ["bin", "BLOB", ["'\\x00\\xFF'::BLOB", "''::BLOB", "NULL", "'\\x5Cx00'::BLOB", "'abc'::BLOB"]],
  [
    "id",
    "UUID",
    [
      "'00000000-0000-0000-0000-000000000000'",
      "NULL",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "'12345678-1234-1234-1234-123456789abc'",
      "NULL",
    ],
  ],
  ["list", "INTEGER[]", ["[]", "NULL", "[NULL]", "[1, 2]", "[2, 1]"]],
  [
    "obj",
    'STRUCT(a INTEGER, "b c" VARCHAR)',
    [
      "{'a': 1, 'b c': 'x'}",
      "NULL",
      "{'a': NULL, 'b c': NULL}",
      "{'a': 2, 'b c': ''}",
      "{'a': 1, 'b c': 'y'}",
    ],
  ],
  [
    "m",
    "MAP(VARCHAR, DECIMAL(10,2))",
    ["MAP {}", "NULL", "MAP {'k': 1.5}", "MAP {'k': NULL}", "MAP {'a': 1, 'b': 2}"],
  ],
  ["__proto__", "INTEGER", ["1", "2", "3", "4", "5"]],
  ['q"uote', "VARCHAR", ["'x'", "NULL", "'y'", "'z'", "'x'"]],
];
const NAMES = COLUMNS.map(([name]) => name);

describe("duckDbRowSetHash (format v2)", () => {
  const engine = createDuckDbEngine({ threads: 2 });
  afterAll(() => engine.close());
  let tables = 0;

  /** A table of every column of `columns`, its rows given per column, in `order`. */
  async function table(
    columns: readonly (readonly [string, string, readonly string[]])[],
    order: readonly number[],
  ): Promise<string> {
    const name = `t${tables++}`;
    await engine.execute(
      `CREATE TABLE ${name} (${columns.map(([c, type]) => `${quote(c)} ${type}`).join(", ")})`,
    );
    for (const row of order) {
      const values = columns.map(([, type, vs]) => `CAST(${vs[row]} AS ${type})`);
      await engine.execute(`INSERT INTO ${name} VALUES (${values.join(", ")})`);
    }
    return name;
  }

  const hash = (relation: string, names = NAMES, exclude: string[] = []) =>
    duckDbRowSetHash(engine, relation, names, { exclude });

  it("is the documented digest of DuckDB's hash() per row, for every lakehouse type, in SQL only", async () => {
    const t = await table(COLUMNS, [0, 1, 2, 3, 4]);
    const { engine: wrapped, counter } = counting(engine);
    const ours = await duckDbRowSetHash(wrapped, t, NAMES);
    expect(ours).toEqual(await rowSetDigestV2(engine, t, NAMES));
    expect(ours.rowCount).toBe(5);
    expect(ours.format).toMatch(/^controlroom-rowset-v2\+duckdb-v\d+\.\d+/);
    expect(counter.streams).toBe(0);
  });

  it("gives the same digest from declared column types, without binding the relation", async () => {
    const t = await table(COLUMNS, [0, 1, 2, 3, 4]);
    const { engine: watching, queries } = queryRecordingEngine(engine);
    const described = () => queries.filter((sql) => sql.startsWith("DESCRIBE"));
    const columnTypes = Object.fromEntries(COLUMNS.map(([name, type]) => [name, type]));
    const declared = await duckDbRowSetHash(watching, t, NAMES, { columnTypes });
    expect(declared).toEqual(await hash(t));
    expect(described()).toHaveLength(1);
    expect(described()[0]).not.toContain(t);
    // A kept column whose type is not declared: the relation is described as before.
    const { s: _s, ...partly } = columnTypes;
    expect(await duckDbRowSetHash(watching, t, NAMES, { columnTypes: partly })).toEqual(declared);
    expect(described()[1]).toContain(t);
  });

  it("prints declared scalar types as DuckDB does, without a query", async () => {
    const t = await table(COLUMNS, [0, 1, 2, 3, 4]);
    const { engine: watching, queries } = queryRecordingEngine(engine);
    const described = () => queries.filter((sql) => sql.startsWith("DESCRIBE"));
    // Every scalar type logicalTypeSql casts to (HUGEINT is none of them; the digest
    // names the types, so a misprinted one gives another digest than DESCRIBE's).
    const scalars = COLUMNS.filter(([, type]) => !/[[(]/.test(type) || type.startsWith("DECIMAL"))
      .filter(([, type]) => type !== "HUGEINT")
      .map(([name, type]) => [name, type] as const);
    expect(scalars.map(([, type]) => type)).toEqual(
      expect.arrayContaining([
        "TIMESTAMPTZ",
        "TIMESTAMP",
        "DECIMAL(38,10)",
        "UUID",
        "TIME",
        "BLOB",
      ]),
    );
    const names = scalars.map(([name]) => name);
    const declared = await duckDbRowSetHash(watching, t, names, {
      columnTypes: Object.fromEntries(scalars),
    });
    expect(declared).toEqual(await hash(t, names));
    expect(described()).toEqual([]);
  });

  it("ignores row order, file layout and the order columns are named in", async () => {
    const one = await hash(await table(COLUMNS, [0, 1, 2, 3, 4]));
    expect(await hash(await table(COLUMNS, [4, 3, 2, 1, 0]))).toEqual(one);
    // Two "files" read as one relation, and the columns listed in another order.
    const a = await table(COLUMNS, [3, 1]);
    const b = await table(COLUMNS, [0, 4, 2]);
    expect(
      await hash(`(SELECT * FROM ${a} UNION ALL SELECT * FROM ${b})`, [...NAMES].reverse()),
    ).toEqual(one);
    // The table's own column order does not matter either.
    expect(await hash(await table([...COLUMNS].reverse(), [2, 0, 1, 4, 3]))).toEqual(one);
  });

  it("changes with any value, an extra, missing or duplicated row", async () => {
    const base = await hash(await table(COLUMNS, [0, 1, 2, 3, 4]));
    const seen = new Set([base.sha256]);
    const expectNew = (digest: { sha256: string }, what: string) => {
      expect(seen.has(digest.sha256), what).toBe(false);
      seen.add(digest.sha256);
    };
    // Row 0's value of each column replaced by another row's value of that column.
    for (const [index, [name, type, values]] of COLUMNS.entries()) {
      const replacement = values.findIndex((value, row) => row > 0 && value !== values[0]);
      const changed = COLUMNS.map((column, i) =>
        i === index
          ? ([name, type, [values[replacement] as string, ...values.slice(1)]] as const)
          : column,
      );
      const digest = await hash(await table(changed, [0, 1, 2, 3, 4]));
      expect(digest.rowCount, name).toBe(5);
      expectNew(digest, `a changed ${name}`);
    }
    expectNew(await hash(await table(COLUMNS, [0, 1, 2, 3])), "a missing row");
    expectNew(await hash(await table(COLUMNS, [0, 1, 2, 3, 4, 4])), "a duplicated row");
    expectNew(await hash(await table(COLUMNS, [0, 1, 2, 3, 4, 0, 1])), "extra rows");
  });

  it("tells nested values apart that hash() alone confuses: [] from NULL, and list boundaries", async () => {
    const lists = async (rows: string[][]) => {
      const name = `t${tables++}`;
      await engine.execute(`CREATE TABLE ${name} (a INTEGER[], b INTEGER[])`);
      for (const [a, b] of rows) await engine.execute(`INSERT INTO ${name} VALUES (${a}, ${b})`);
      return (await hash(name, ["a", "b"])).sha256;
    };
    const digests = [
      await lists([["[]", "[1]"]]),
      await lists([["NULL", "[1]"]]),
      await lists([["[NULL]", "[1]"]]),
      await lists([["[1]", "[2]"]]),
      await lists([["[1, 2]", "[]"]]),
      await lists([["[]", "[1, 2]"]]),
    ];
    expect(new Set(digests).size).toBe(digests.length);
  });

  it("changes with a column's name or type, and when values move between columns", async () => {
    const pairs = async (columns: string, values: string[]) => {
      const name = `t${tables++}`;
      await engine.execute(`CREATE TABLE ${name} (${columns})`);
      for (const row of values) await engine.execute(`INSERT INTO ${name} VALUES ${row}`);
      const names = (await engine.query(`SELECT * FROM ${name} LIMIT 0`)).columns.map(
        (c) => c.name,
      );
      return (await hash(name, names)).sha256;
    };
    const base = await pairs("a INTEGER, b INTEGER", ["(1, 2)", "(3, 4)"]);
    // DuckDB's hash() of 1 is the same for every integer type: only the type tells.
    expect(await pairs("a BIGINT, b INTEGER", ["(1, 2)", "(3, 4)"])).not.toBe(base);
    expect(await pairs("a INTEGER, c INTEGER", ["(1, 2)", "(3, 4)"])).not.toBe(base);
    expect(await pairs("a INTEGER, b INTEGER", ["(2, 1)", "(4, 3)"])).not.toBe(base);
    expect(await pairs("a INTEGER, b INTEGER", ["(3, 4)", "(1, 2)"])).toBe(base);
  });

  it("leaves excluded columns out, and counts rows when every column is excluded", async () => {
    const t = await table(COLUMNS, [0, 1, 2, 3, 4]);
    const otherAudit = COLUMNS.map((column) =>
      column[0] === "ts"
        ? (["ts", "TIMESTAMP", ["'2030-01-01'", "NULL", "NULL", "NULL", "NULL"]] as const)
        : column,
    );
    const u = await table(otherAudit, [0, 1, 2, 3, 4]);
    expect(await hash(t, NAMES, ["ts"])).toEqual(await hash(u, NAMES, ["ts"]));
    expect((await hash(t)).sha256).not.toBe((await hash(u)).sha256);
    // Excluding a column the relation lacks changes nothing.
    expect(await hash(t, NAMES, ["ts", "no_such_column"])).toEqual(await hash(t, NAMES, ["ts"]));
    // A column not listed is not read at all, like an excluded one.
    expect(
      await hash(
        t,
        NAMES.filter((n) => n !== "ts"),
      ),
    ).toEqual(await hash(t, NAMES, ["ts"]));

    const none = await hash(t, NAMES, NAMES);
    expect(none).toEqual(await rowSetDigestV2(engine, t, NAMES, NAMES));
    expect(none.rowCount).toBe(5);
    expect((await hash(await table(COLUMNS, [4, 4, 4, 4, 4]), NAMES, NAMES)).sha256).toBe(
      none.sha256,
    );
    expect((await hash(await table(COLUMNS, [0, 1]), NAMES, NAMES)).sha256).not.toBe(none.sha256);
  });

  it("hashes an empty relation as the empty set of its columns", async () => {
    const empty = await hash(await table(COLUMNS, []));
    expect(empty).toEqual(await rowSetDigestV2(engine, await table(COLUMNS, []), NAMES));
    expect(empty.rowCount).toBe(0);
    expect(await hash(await table(COLUMNS, []))).toEqual(empty);
    expect((await hash(await table(COLUMNS, [0]))).sha256).not.toBe(empty.sha256);
  });

  it("computes a hash recorded before v2 in its format (v1), and refuses another DuckDB's v2", async () => {
    const t = await table(
      [
        ["id", "INTEGER", ["1", "2", "3"]],
        ["name", "VARCHAR", ["'a'", "NULL", "'c é'"]],
        ["day", "DATE", ["'2024-02-29'", "'1970-01-01'", "NULL"]],
        ["_ingested_at", "VARCHAR", ["'x'", "'y'", "'z'"]],
      ],
      [2, 0, 1],
    );
    const names = ["id", "name", "day", "_ingested_at"];
    // v1 by its definition: createRowSetHash over the rows as JavaScript values.
    const reference = createRowSetHash({ exclude: ["_ingested_at"] });
    reference.update([
      { id: 1, name: "a", day: new Date("2024-02-29T00:00:00Z"), _ingested_at: "x" },
      { id: 2, name: null, day: new Date("1970-01-01T00:00:00Z"), _ingested_at: "y" },
      { id: 3, name: "c é", day: null, _ingested_at: "z" },
    ]);
    const v1 = await duckDbRowSetHash(engine, t, names, {
      exclude: ["_ingested_at"],
      format: ROW_SET_HASH_V1,
    });
    expect(v1).toEqual({ ...reference.digest(), format: ROW_SET_HASH_V1 });
    const v2 = await duckDbRowSetHash(engine, t, names, { exclude: ["_ingested_at"] });
    expect(v2.sha256).not.toBe(v1.sha256);
    // Its own v2 by name gives the default; another DuckDB's v2 is refused, not compared.
    expect(
      await duckDbRowSetHash(engine, t, names, { exclude: ["_ingested_at"], format: v2.format }),
    ).toEqual(v2);
    await expect(
      duckDbRowSetHash(engine, t, names, { format: "controlroom-rowset-v2+duckdb-v0.0.1" }),
    ).rejects.toMatchObject({ code: "DUCKDB_HASH_FORMAT_UNSUPPORTED" });
  });

  it("fails with the engine's typed error for a relation or column that is not there", async () => {
    const t = await table(COLUMNS, [0]);
    await expect(hash("no_such_table")).rejects.toMatchObject({ code: "DUCKDB_QUERY_FAILED" });
    await expect(hash(t, ["s", "no_such_column"])).rejects.toMatchObject({
      code: "DUCKDB_QUERY_FAILED",
    });
  });
});
