import type { ObjectStore } from "@controlroom/executor-kit";
import { quoteLiteral } from "../internal/sql-quote.js";
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
 * row comes back through `to_json` of the whole row, so maps (`partitionValues`,
 * `configuration`) arrive as plain objects, as in a JSON commit, and whichever action
 * columns the checkpoint has need no schema query first.
 *
 * One query per checkpoint: a snapshot load of a table with a checkpoint waited on
 * three (a DESCRIBE of the files, a V2 check, the actions), each a few milliseconds
 * of DuckDB's planning and Parquet footers, more than the rows themselves.
 * `union_by_name` (which reads every file's schema before the scan, and took most of
 * that DESCRIBE) is only asked for when there are parts whose schemas could differ.
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
    const union = copies.paths.length > 1 ? "union_by_name = true, " : "";
    // One JSON array text per chunk of rows instead of a JS value per row and column:
    // a checkpoint of 10,000 files then costs one JSON.parse per chunk. Chunks keep
    // memory bounded for checkpoints of millions of files; the order is the files'.
    // The row's own struct (`r`) holds every column the files have; the file name and
    // row number are added as columns named so that they cannot clash with Delta's.
    const chunks = await session.all(
      `SELECT string_agg(to_json(r), ',' ORDER BY ${ROW}) AS actions FROM read_parquet(${files}, ${union}hive_partitioning = false, filename = '${FILE}', file_row_number = true) AS r GROUP BY ${FILE}, ${ROW} // ${CHUNK_ROWS} ORDER BY list_position(${files}, ${FILE}), ${ROW} // ${CHUNK_ROWS}`,
    );
    const actions: DeltaAction[] = [];
    for (const chunk of chunks) {
      const rows = JSON.parse(`[${chunk.actions as string}]`) as Record<string, unknown>[];
      for (const row of rows) {
        for (const column of V2_COLUMNS) {
          if (row[column] === null || row[column] === undefined) continue;
          throw new DeltaUnsupportedFeatureError(
            "v2Checkpoint",
            `the checkpoint ${keys[0]} is a V2 checkpoint (${column} actions); V2 checkpoints are not supported`,
          );
        }
        const action: Record<string, unknown> = {};
        for (const column of STATE_COLUMNS) {
          const value = row[column];
          if (value !== null && value !== undefined) action[column] = value;
        }
        // A row of columns this reader does not know (commitInfo…) carries no state.
        if (Object.keys(action).length > 0) actions.push(action as DeltaAction);
      }
    }
    return actions;
  } finally {
    await copies.dispose();
  }
}

// Names of the columns read_parquet adds; Delta's own columns are camelCase action names.
const FILE = "__controlroom_file";
const ROW = "file_row_number";
