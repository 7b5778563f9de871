import { createHash } from "node:crypto";
import { createRowSetHash, ROW_SET_HASH_V1, type SqlEngine } from "@controlroom/executor-kit";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { DuckDbError } from "./duckdb-error.js";

/** Options of {@link duckDbRowSetHash}. */
export interface DuckDbRowSetHashOptions {
  /** Columns left out of the hash. @default [] */
  exclude?: readonly string[] | undefined;
  /** @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * The format to compute, as a recorded digest names it: this DuckDB's v2 (the
   * default), or `controlroom-rowset-v1` for hashes recorded before v2, computed in
   * JavaScript over the streamed rows (about 6 µs a row; only to check old records).
   * Another DuckDB version's v2 cannot be reproduced here: `DUCKDB_HASH_FORMAT_UNSUPPORTED`.
   * @default this DuckDB's v2
   */
  format?: string | undefined;
  /**
   * The relation's column types as SQL type names (`DECIMAL(18,2)`, `TIMESTAMPTZ`), by
   * column name, when the caller built the relation and every column of it is a `CAST`
   * to that type. The types are then not read from the relation, which for a Parquet
   * scan would bind the files again: the scalar types logicalTypeSql casts to are
   * printed as DuckDB prints them, other types by a DESCRIBE of constants. A kept
   * column missing here is looked up in the relation as usual. Wrong types give a
   * wrong digest.
   * @default undefined
   */
  columnTypes?: Readonly<Record<string, string>> | undefined;
}

/** The fingerprint {@link duckDbRowSetHash} computes. */
export interface DuckDbRowSetDigest {
  /** SHA-256 (lowercase hex) of the format, the columns, the row count and the hash sum. */
  sha256: string;
  /** Rows hashed. */
  rowCount: number;
  /**
   * What the digest is, and so which digests it can be compared with:
   * `controlroom-rowset-v2+duckdb-<version>`, e.g. `controlroom-rowset-v2+duckdb-v1.5.6`.
   */
  format: string;
}

/** The first part of every v2 format name; the DuckDB version follows it. */
export const ROW_SET_HASH_V2 = "controlroom-rowset-v2";

/**
 * Fingerprints the multiset of rows of `relation` (a view name or a parenthesised query)
 * in one aggregate inside DuckDB, so no row crosses into JavaScript: format v2 of the
 * row-set hash.
 *
 * - Each row: DuckDB's vectorised `hash(c1, c2, …)` (64 bits) over the kept columns in
 *   name order (JavaScript's sort, as v1). Nested values (lists, structs, maps, unions)
 *   are hashed as their `to_json()` text, because `hash()` of a list is the combination
 *   of its elements' hashes: `[]` and `NULL` would hash alike, and `hash([1], 2)` equals
 *   `hash(1, [2])`. JSON text keeps each value's shape. (It writes TIMESTAMPTZ values
 *   in the session's time zone, which the DuckDB engine pins to UTC.)
 * - The rows: their hashes summed exactly (HUGEINT; no overflow below 2^63 rows) and
 *   counted, so row order, file layout and batch boundaries do not matter and
 *   duplicates count.
 * - The digest: SHA-256 of the format name (which names the DuckDB version), the kept
 *   columns' names and DuckDB types, the count and the sum. A renamed column or a
 *   changed type gives another digest even when the values hash alike.
 *
 * Why v2 replaces v1 (`createRowSetHash`, SHA-256 of each row's canonical JSON): v1
 * cost about 6 µs of CPU per row, more than the queries that write the rows; `hash()`
 * costs a few nanoseconds. `hash()` is DuckDB's own and may change between its
 * releases, so the DuckDB version is part of the format: the contract promises the
 * same hashes for the same git sha and input manifest ("Deterministic rebuild"), and a
 * git sha pins the lockfile and so the DuckDB version. Like v1, this detects
 * accidental change (a different value, a missing or extra row); it does not resist
 * rows crafted to collide, and with 64 bits per row two different row sets collide by
 * accident with a chance of about 2^-64.
 *
 * `columns` are the relation's column names in any order (`*` is not expanded, so a
 * relation's other columns are ignored). Every DuckDB type hashes; there is no slow path.
 *
 * @example
 * ```ts
 * const { sha256, rowCount, format } = await duckDbRowSetHash(engine, "orders", ["id", "amount"]);
 * ```
 */
export async function duckDbRowSetHash(
  engine: SqlEngine,
  relation: string,
  columns: readonly string[],
  options: DuckDbRowSetHashOptions = {},
): Promise<DuckDbRowSetDigest> {
  const { signal } = options;
  const excluded = new Set(options.exclude ?? []);
  // JavaScript's default sort (UTF-16 code units), as v1 sorts a row's keys.
  const kept = columns.filter((name) => !excluded.has(name)).sort();
  if (options.format === ROW_SET_HASH_V1)
    return rowSetHashV1(engine, relation, columns, kept, options);
  // Types as DuckDB itself prints them (DESCRIBE), not as a client library renders them:
  // the format names DuckDB's version only.
  const types = await keptTypes(engine, relation, kept, options.columnTypes, signal);
  const args = types.map(([name, type]) =>
    NESTED.test(type) ? `to_json(${quoteIdentifier(name)})` : quoteIdentifier(name),
  );
  // With no column kept, every row hashes to 0 and only the count says anything.
  const sum = args.length === 0 ? "0" : `sum(hash(${args.join(", ")}))`;
  const { rows } = await engine.query<{ n: unknown; s: unknown; v: unknown }>(
    `SELECT count(*) AS n, ${sum} AS s, version() AS v FROM ${relation}`,
    { signal },
  );
  const row = rows[0];
  if (row === undefined || typeof row.v !== "string") {
    throw new DuckDbError("DUCKDB_QUERY_FAILED", `the row-set hash of ${relation} returned no row`);
  }
  const rowCount = Number(row.n);
  const format = `${ROW_SET_HASH_V2}+duckdb-${row.v}`;
  if (options.format !== undefined && options.format !== format) {
    throw new DuckDbError(
      "DUCKDB_HASH_FORMAT_UNSUPPORTED",
      `a row-set hash in format ${options.format} cannot be computed here: this DuckDB computes ${format} (${ROW_SET_HASH_V1} is also supported). Check the hash with a worker on the DuckDB version that recorded it (the recording run's git sha pins it).`,
    );
  }
  const text = `${format}\n${JSON.stringify(types)}\n${rowCount}\n${BigInt((row.s as bigint | number | null) ?? 0n)}`;
  return { sha256: createHash("sha256").update(text).digest("hex"), rowCount, format };
}

// The kept columns' types as DuckDB prints them: from the declared types when it is
// known how DuckDB prints each of them (no query at all), else a DESCRIBE of constants
// of the declared types, else a DESCRIBE of the relation.
async function keptTypes(
  engine: SqlEngine,
  relation: string,
  kept: readonly string[],
  declared: Readonly<Record<string, string>> | undefined,
  signal: AbortSignal | undefined,
): Promise<(readonly [string, string])[]> {
  if (kept.length === 0) return [];
  const printed = kept.map((name) => printedType(declared?.[name]));
  if (printed.every((type) => type !== undefined)) {
    return kept.map((name, index) => [name, printed[index] as string] as const);
  }
  const described = kept.every((name) => declared?.[name] !== undefined)
    ? `SELECT ${kept.map((name) => `CAST(NULL AS ${declared?.[name]}) AS ${quoteIdentifier(name)}`).join(", ")}`
    : `SELECT ${kept.map(quoteIdentifier).join(", ")} FROM ${relation}`;
  const { rows } = await engine.query<{ column_type: string }>(`DESCRIBE ${described}`, {
    signal,
  });
  return rows.map((row, index) => [kept[index] as string, row.column_type] as const);
}

// How DuckDB's DESCRIBE prints the scalar types logicalTypeSql casts to. A test holds
// this to DESCRIBE itself for every one of them; any other type is described.
const PRINTED_SCALARS: Readonly<Record<string, string>> = {
  VARCHAR: "VARCHAR",
  BIGINT: "BIGINT",
  INTEGER: "INTEGER",
  SMALLINT: "SMALLINT",
  TINYINT: "TINYINT",
  FLOAT: "FLOAT",
  DOUBLE: "DOUBLE",
  BOOLEAN: "BOOLEAN",
  BLOB: "BLOB",
  DATE: "DATE",
  TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE",
  TIMESTAMP: "TIMESTAMP",
  UUID: "UUID",
  TIME: "TIME",
};

function printedType(declared: string | undefined): string | undefined {
  if (declared === undefined) return undefined;
  if (Object.hasOwn(PRINTED_SCALARS, declared)) return PRINTED_SCALARS[declared];
  // DECIMAL(p,s) prints as written, within DuckDB's bounds (others are an error it gives).
  const decimal = /^DECIMAL\((\d{1,2}),(\d{1,2})\)$/.exec(declared);
  if (decimal === null) return undefined;
  const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
  return precision >= 1 && precision <= 38 && scale <= precision ? declared : undefined;
}

// Types DuckDB prints with brackets or a parenthesised member list: lists (`INTEGER[]`,
// `INTEGER[3]`), STRUCT(…), MAP(…), UNION(…). DECIMAL(p,s) is a scalar.
const NESTED = /\[|^(STRUCT|MAP|UNION)\(/i;

/**
 * Format v1 (`createRowSetHash`), for hashes recorded before v2: the kept columns are
 * streamed and each row's canonical JSON hashed in JavaScript. With every column
 * excluded, rows still count: one column is selected and the hash drops it.
 */
async function rowSetHashV1(
  engine: SqlEngine,
  relation: string,
  columns: readonly string[],
  kept: readonly string[],
  options: DuckDbRowSetHashOptions,
): Promise<DuckDbRowSetDigest> {
  const select = (kept.length > 0 ? kept : columns.slice(0, 1)).map(quoteIdentifier);
  const hash = createRowSetHash({ exclude: options.exclude });
  const sql = `SELECT ${select.join(", ") || "*"} FROM ${relation}`;
  for await (const batch of engine.stream(sql, { signal: options.signal })) hash.update(batch.rows);
  const { sha256, rowCount } = hash.digest();
  return { sha256, rowCount, format: ROW_SET_HASH_V1 };
}
