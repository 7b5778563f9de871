import type {
  ObjectStore,
  ObjectStoreCallOptions,
  TableCommit,
  TableFormat,
  TableHistoryEntry,
  TableRef,
  TableSnapshotOptions,
} from "@controlroom/executor-kit";
import { readDeltaHistory } from "./delta-history.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import { DeltaTable } from "./delta-table.js";
import { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
import type { DuckDbConnectionLike } from "./duckdb-session.js";

/** Options of {@link createDeltaTableFormat}. */
export interface DeltaTableFormatOptions {
  /** The store every table lives in; `TableRef.location` is a key prefix in it. */
  store: ObjectStore;
  /**
   * A `@duckdb/node-api` connection for reading checkpoints and writing them.
   * @default undefined (an in-memory DuckDB per call that needs one)
   */
  duckdb?: DuckDbConnectionLike | undefined;
  /**
   * Checkpoint every this many commits (unless a table sets `delta.checkpointInterval`).
   * @default 10
   */
  checkpointInterval?: number | undefined;
}

/**
 * The {@link TableFormat} port for Delta Lake. `snapshot` resolves to a
 * {@link DeltaSnapshot} (or `undefined` when no table is there); `commit` takes data
 * files already written under the table and commits them atomically; `history`
 * lists commits newest first with their provenance.
 *
 * @example
 * ```ts
 * import { createLocalObjectStore } from "@controlroom/adapters/local";
 * import { createDeltaTableFormat } from "@controlroom/adapters/delta";
 *
 * const tables = createDeltaTableFormat({ store: createLocalObjectStore({ root: "./lake" }) });
 * const snapshot = await tables.snapshot({ location: "bronze/orders" });
 * console.log(snapshot?.version, snapshot?.files.length);
 * ```
 */
export function createDeltaTableFormat(options: DeltaTableFormatOptions): TableFormat & {
  snapshot(table: TableRef, options?: TableSnapshotOptions): Promise<DeltaSnapshot | undefined>;
} {
  const open = (table: TableRef) =>
    new DeltaTable({
      store: options.store,
      location: table.location,
      duckdb: options.duckdb,
      checkpointInterval: options.checkpointInterval,
    });
  // Each call opens its own handle and closes its DuckDB, so the format object holds
  // no resources and needs no close().
  const using = async <T>(table: TableRef, run: (handle: DeltaTable) => Promise<T>): Promise<T> => {
    const handle = open(table);
    try {
      return await run(handle);
    } finally {
      await handle.close();
    }
  };
  return {
    format: "delta",
    snapshot(table, snapshotOptions = {}) {
      return using(table, async (handle) => {
        try {
          return await handle.snapshot({
            version: snapshotOptions.version,
            signal: snapshotOptions.signal,
          });
        } catch (error) {
          if (error instanceof DeltaTableNotFoundError) return undefined;
          throw error;
        }
      });
    },
    async commit(table: TableRef, change: TableCommit, callOptions?: ObjectStoreCallOptions) {
      const { version } = await using(table, (handle) =>
        handle.commit(change, { signal: callOptions?.signal }),
      );
      return { version };
    },
    history(table, historyOptions = {}): Promise<TableHistoryEntry[]> {
      return readDeltaHistory(options.store, table.location, historyOptions);
    },
  };
}
