import { z } from "zod";
import { ROW_SET_HASH_V1 } from "../hashing/row-set-hash.js";
import type { Lakehouse, TableVersionRef } from "../ports/lakehouse.js";
import type { TableSnapshot } from "../ports/table-format.js";
import { quoteSqlIdentifier } from "./current-view-sql.js";
import { toJsonRow } from "./json-row.js";
import { BRONZE_AUDIT_COLUMNS } from "./medallion-layout.js";

/** A table version a run recorded (`RecordedTable` of `@controlroom/sdk`), as phase params carry it. */
export const RecordedTableParams = z.object({
  name: z.string().min(1),
  location: z.string().min(1),
  version: z.number().int().nonnegative(),
  sha256: z.string(),
  /** The format of `sha256` as the manifest recorded it; absent: recorded before formats were named (v1). */
  hash_format: z.string().optional(),
  rows: z.number().int().nonnegative().optional(),
});
export type RecordedTableParams = z.output<typeof RecordedTableParams>;

/** The format a recorded hash is in: hashes recorded before formats were named are v1. */
export function recordedHashFormat(recorded: { hash_format?: string | undefined }): string {
  return recorded.hash_format ?? ROW_SET_HASH_V1;
}

/**
 * The content hash a medallion phase records for a table version (audit columns left
 * out), in `format` when given: to check a recorded hash, compute it in the recorded
 * format, never compare digests of two formats.
 */
export function tableHash(
  lake: Lakehouse,
  ref: TableVersionRef,
  signal: AbortSignal,
  format?: string,
): ReturnType<Lakehouse["contentHash"]> {
  return lake.contentHash(ref, {
    excludeColumns: BRONZE_AUDIT_COLUMNS,
    signal,
    ...(format === undefined ? {} : { format }),
  });
}

/** Rows in a table version: from the files' statistics when every file has them, else counted. */
export async function tableRows(
  lake: Lakehouse,
  ref: TableVersionRef,
  snapshot: TableSnapshot,
  signal: AbortSignal,
): Promise<number> {
  if (snapshot.files.every((file) => file.recordCount !== undefined)) {
    return snapshot.files.reduce((sum, file) => sum + (file.recordCount ?? 0), 0);
  }
  return lake.session(
    { counted: ref },
    async ({ engine }) => {
      const result = await engine.query<{ n: unknown }>("SELECT count(*) AS n FROM counted", {
        signal,
      });
      return Number(result.rows[0]?.n ?? 0);
    },
    { signal },
  );
}

/**
 * Rows one table version has and another lacks, each way (`EXCEPT ALL`), as arrays of
 * values in `columns` order (so JSON stores keep the order), up to a limit each way.
 */
export interface RowDifference {
  /** The columns compared, in the stored version's order. */
  columns: string[];
  /** In the first version (the stored original), not in the second (the rebuild). */
  only_in_stored: unknown[][];
  /** In the second, not in the first. */
  only_in_rebuilt: unknown[][];
}

/**
 * A sample of the rows that differ between two table versions, both ways, over the
 * columns they share (audit columns left out, as in the content hash).
 */
export async function differingRows(
  lake: Lakehouse,
  stored: TableVersionRef,
  rebuilt: TableVersionRef,
  limit: number,
  signal: AbortSignal,
): Promise<RowDifference> {
  const [a, b] = await Promise.all([
    lake.snapshot(stored, { signal }),
    lake.snapshot(rebuilt, { signal }),
  ]);
  const audit = new Set<string>(BRONZE_AUDIT_COLUMNS);
  const theirs = new Set(b?.schema.fields.map((f) => f.name));
  const columns = (a?.schema.fields ?? [])
    .map((f) => f.name)
    .filter((name) => theirs.has(name) && !audit.has(name));
  if (columns.length === 0) return { columns, only_in_stored: [], only_in_rebuilt: [] };
  const select = columns.map(quoteSqlIdentifier).join(", ");
  // Positional, in every column: a stable sample whatever the engine.
  const order = columns.map((_, index) => String(index + 1)).join(", ");
  return lake.session(
    { stored, rebuilt },
    async ({ engine }) => {
      const except = async (left: string, right: string) =>
        (
          await engine.query(
            `SELECT * FROM (SELECT ${select} FROM ${left} EXCEPT ALL SELECT ${select} FROM ${right}) AS d ORDER BY ${order} LIMIT ${limit}`,
            { signal },
          )
        ).rows.map((row) => {
          const json = toJsonRow(row);
          return columns.map((column) => json[column] ?? null);
        });
      return {
        columns,
        only_in_stored: await except("stored", "rebuilt"),
        only_in_rebuilt: await except("rebuilt", "stored"),
      };
    },
    { signal },
  );
}
