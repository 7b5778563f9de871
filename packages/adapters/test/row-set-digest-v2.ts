import { createHash } from "node:crypto";
import type { SqlEngine } from "@controlroom/executor-kit";

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Format v2 of the row-set hash as its documentation defines it, computed apart from
 * `duckDbRowSetHash`: each row's DuckDB `hash()` over the kept columns in name order
 * (nested ones as `to_json` text) read out and summed in JavaScript, then SHA-256 of
 * `controlroom-rowset-v2+duckdb-<version()>`, the columns' `[name, DESCRIBE type]`
 * pairs as JSON, the row count and the sum, one per line.
 */
export async function rowSetDigestV2(
  engine: SqlEngine,
  relation: string,
  columns: readonly string[],
  exclude: readonly string[] = [],
): Promise<{ sha256: string; rowCount: number; format: string }> {
  const kept = columns.filter((name) => !exclude.includes(name)).sort();
  const described =
    kept.length === 0
      ? []
      : (
          await engine.query<{ column_name: string; column_type: string }>(
            `DESCRIBE SELECT ${kept.map(quote).join(", ")} FROM ${relation}`,
          )
        ).rows.map((row) => [row.column_name, row.column_type] as const);
  const args = described.map(([name, type]) =>
    /\[|^(STRUCT|MAP|UNION)\(/.test(type) ? `to_json(${quote(name)})` : quote(name),
  );
  // With no column kept, every row counts as 0.
  const rowHash = args.length === 0 ? "0" : `hash(${args.join(", ")})`;
  const { rows } = await engine.query<{ h: bigint | number }>(
    `SELECT ${rowHash} AS h FROM ${relation}`,
  );
  const sum = rows.reduce((total, row) => total + BigInt(row.h), 0n);
  const { rows: version } = await engine.query<{ v: string }>("SELECT version() AS v");
  const format = `controlroom-rowset-v2+duckdb-${version[0]?.v}`;
  const text = `${format}\n${JSON.stringify(described)}\n${rows.length}\n${sum}`;
  return { sha256: createHash("sha256").update(text).digest("hex"), rowCount: rows.length, format };
}
