import {
  createRowSetHash,
  type RowSetDigest,
  rowSetDigestFromSum,
  type SqlEngine,
} from "@controlroom/executor-kit";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { type CanonicalRowSql, canonicalRowSql } from "./canonical-row-sql.js";

/** Options of {@link duckDbRowSetHash}. */
export interface DuckDbRowSetHashOptions {
  /** Columns left out of the hash. @default [] */
  exclude?: readonly string[] | undefined;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

// The 256-bit digest in four 64-bit lanes (16 hex digits each), summed by DuckDB as
// HUGEINT: exact up to 2^63 rows. Parsing the hex costs about a fifth of the hashing,
// but no cheaper route from sha256()'s text to integers was found (unhex() of the digest
// alone costs more; unhex + BIT casts per lane cost the same).
const LANES = [0, 1, 2, 3];

/**
 * `createRowSetHash()` (executor-kit) of the rows of `relation` (a view name or a
 * parenthesised query) as the DuckDB engine reads them, with the same result but
 * computed inside DuckDB where it can be: each row's canonical JSON built in SQL
 * ({@link canonicalRowSql}), hashed with `sha256()` and summed, so no row crosses into
 * JavaScript. A relation with a column type or value the SQL cannot render exactly
 * (doubles, blobs, nested values, dates beyond year 9999…) is streamed and hashed in
 * JavaScript instead; such values are found by aggregates in the same pass.
 *
 * `columns` are the relation's column names in any order (`*` is not expanded, so a
 * relation's other columns are ignored).
 *
 * @example
 * ```ts
 * const { sha256, rowCount } = await duckDbRowSetHash(engine, "orders", ["id", "amount"]);
 * ```
 */
export async function duckDbRowSetHash(
  engine: SqlEngine,
  relation: string,
  columns: readonly string[],
  options: DuckDbRowSetHashOptions = {},
): Promise<RowSetDigest> {
  const { signal } = options;
  const excluded = new Set(options.exclude ?? []);
  const kept = columns.filter((name) => !excluded.has(name));
  const inSql = await hashInSql(engine, relation, kept, signal);
  if (inSql !== undefined) return inSql;
  // With every column excluded, rows still count: select one, the hash drops it.
  const select = (kept.length > 0 ? kept : columns.slice(0, 1)).map(quoteIdentifier);
  const hash = createRowSetHash({ exclude: [...excluded] });
  for await (const batch of engine.stream(`SELECT ${select.join(", ") || "*"} FROM ${relation}`, {
    signal,
  })) {
    hash.update(batch.rows);
  }
  return hash.digest();
}

async function hashInSql(
  engine: SqlEngine,
  relation: string,
  kept: readonly string[],
  signal: AbortSignal | undefined,
): Promise<RowSetDigest | undefined> {
  // Rows of the JS hash are objects: a column named __proto__ is not an own key there,
  // and names equal but for case are renamed by the engine. Leave those to it.
  const lower = new Set(kept.map((name) => name.toLowerCase()));
  if (kept.includes("__proto__") || lower.size !== kept.length) return undefined;
  const select = kept.map(quoteIdentifier).join(", ");
  const types =
    kept.length === 0
      ? []
      : (await engine.query(`SELECT ${select} FROM ${relation} LIMIT 0`, { signal })).columns;
  const row = canonicalRowSql(types.map((column) => ({ name: column.name, type: column.type })));
  if (row === undefined) return undefined;
  const { rows } = await engine.query<Record<string, unknown>>(hashSql(relation, row), {
    signal,
  });
  const result = rows[0] ?? {};
  // A row with a value the SQL does not render exactly: hash in JavaScript.
  if (result.inexact === true) return undefined;
  const rowCount = Number(result.n ?? 0);
  let sum = 0n;
  for (const lane of LANES)
    sum = (sum << 64n) + BigInt((result[`l${lane}`] as bigint | null) ?? 0n);
  return rowSetDigestFromSum(rowCount, sum);
}

/**
 * One pass over `relation`: the row count, whether any value is out of reach of the
 * SQL rendering (aggregates such as min/max, which cost next to nothing per row), and
 * the four lane sums of the rows' SHA-256 digests. The innermost subquery names the
 * row's JSON (`j`), which the canonical text uses more than once, and the columns
 * checked (`c0`…); sha256() runs once per row, in the middle one. Each query names
 * only its own columns, so a relation column named `h` or `j` cannot clash.
 */
function hashSql(relation: string, row: CanonicalRowSql): string {
  const lanes = LANES.map(
    (lane) => `sum(CAST('0x' || substr(h, ${lane * 16 + 1}, 16) AS UBIGINT)) AS l${lane}`,
  );
  const names = row.inexact.map((_, index) => `c${index}`);
  const checked = row.inexact.map((check, index) => `${check.column} AS ${names[index]}`);
  const inexact = row.inexact.map(
    (check, index) => `COALESCE(${check.aggregate(names[index] as string)}, false)`,
  );
  const json = `SELECT ${[`${row.json} AS j`, ...checked].join(", ")} FROM ${relation}`;
  const hashed = `SELECT ${[`sha256(${row.canonical("j")}) AS h`, ...names].join(", ")} FROM (${json})`;
  return `SELECT count(*) AS n, ${inexact.join(" OR ") || "false"} AS inexact, ${lanes.join(", ")} FROM (${hashed})`;
}
