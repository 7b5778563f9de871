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
    const source = `read_parquet([${copies.paths.map(quoteLiteral).join(", ")}], union_by_name = true, hive_partitioning = false)`;
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
    const select = present
      .map((column) => `to_json(${quoteIdentifier(column)}) AS ${quoteIdentifier(column)}`)
      .join(", ");
    const rows = await session.all(`SELECT ${select} FROM ${source}`);
    const actions: DeltaAction[] = [];
    for (const row of rows) {
      const action: Record<string, unknown> = {};
      for (const column of present) {
        const json = row[column];
        if (typeof json === "string") action[column] = JSON.parse(json);
      }
      actions.push(action as DeltaAction);
    }
    return actions;
  } finally {
    await copies.dispose();
  }
}
