import type { ObjectStore } from "@controlroom/executor-kit";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import type { DeltaAction } from "./delta-actions.js";
import { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { localFileCopies } from "./local-file-copies.js";

// The checkpoint columns that carry table state. commitInfo is never checkpointed.
const STATE_COLUMNS = ["protocol", "metaData", "txn", "add", "remove"] as const;
// Columns that only V2 checkpoints have; their presence means sidecar files hold
// (part of) the state, which this adapter does not read.
const V2_COLUMNS = ["checkpointMetadata", "sidecar"] as const;
// Actions per JSON text DuckDB hands over.
const CHUNK_ROWS = 50_000;

/**
 * Reads the actions of a classic or multi-part Parquet checkpoint through DuckDB. Each
 * action struct comes back through `to_json`, so maps (`partitionValues`,
 * `configuration`) arrive as plain objects, as in a JSON commit.
 *
 * @example
 * ```ts
 * const actions = await readCheckpointActions(store, ["t/_delta_log/00000000000000000010.checkpoint.parquet"], session);
 * ```
 */
export async function readCheckpointActions(
  store: ObjectStore,
  keys: readonly string[],
  session: DuckDbSession,
  signal?: AbortSignal,
): Promise<DeltaAction[]> {
  const copies = await localFileCopies(store, keys, signal);
  try {
    const files = `[${copies.paths.map(quoteLiteral).join(", ")}]`;
    const source = `read_parquet(${files}, union_by_name = true, hive_partitioning = false)`;
    const columns = new Set(
      (await session.describe(`SELECT * FROM ${source} LIMIT 0`)).map((column) => column.name),
    );
    for (const column of V2_COLUMNS) {
      if (!columns.has(column)) continue;
      const [row] = await session.all(
        `SELECT count(*) AS n FROM ${source} WHERE ${quoteIdentifier(column)} IS NOT NULL`,
      );
      if (Number(row?.n ?? 0) > 0) {
        throw new DeltaUnsupportedFeatureError(
          "v2Checkpoint",
          `the checkpoint ${keys[0]} is a V2 checkpoint (${column} actions); V2 checkpoints are not supported`,
        );
      }
    }
    const present = STATE_COLUMNS.filter((column) => columns.has(column));
    if (present.length === 0) return [];
    // One JSON array text per chunk of rows instead of a JS value per row and column:
    // a checkpoint of 10,000 files then costs one JSON.parse per chunk. Chunks keep
    // memory bounded for checkpoints of millions of files; the order is the files'.
    const struct = present
      .map((column) => `${quoteIdentifier(column)} := ${quoteIdentifier(column)}`)
      .join(", ");
    const chunks = await session.all(
      `SELECT string_agg(to_json(struct_pack(${struct})), ',' ORDER BY file_row_number) AS actions FROM read_parquet(${files}, union_by_name = true, hive_partitioning = false, filename = true, file_row_number = true) GROUP BY filename, file_row_number // ${CHUNK_ROWS} ORDER BY list_position(${files}, filename), file_row_number // ${CHUNK_ROWS}`,
    );
    const actions: DeltaAction[] = [];
    for (const chunk of chunks) {
      const rows = JSON.parse(`[${chunk.actions as string}]`) as Record<string, unknown>[];
      for (const row of rows) {
        const action: Record<string, unknown> = {};
        for (const column of present) {
          const value = row[column];
          if (value !== null && value !== undefined) action[column] = value;
        }
        actions.push(action as DeltaAction);
      }
    }
    return actions;
  } finally {
    await copies.dispose();
  }
}
