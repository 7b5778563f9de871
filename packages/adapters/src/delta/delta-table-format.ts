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
import { DeltaSnapshotCache } from "./delta-snapshot-cache.js";
import { DeltaTable } from "./delta-table.js";
import { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
import type { DuckDbConnectionLike } from "./duckdb-session.js";
import type { DuckDbConnectionSource } from "./engine-connection-source.js";
import { SharedDuckDbInstance } from "./shared-duckdb-instance.js";

/** Options of {@link createDeltaTableFormat}. */
export interface DeltaTableFormatOptions {
  /** The store every table lives in; `TableRef.location` is a key prefix in it. */
  store: ObjectStore;
  /**
   * A `@duckdb/node-api` connection for reading checkpoints and writing them.
   * @default undefined (an in-memory DuckDB shared by the calls that need one, each on
   * a connection of its own, closed a second after the last of them)
   */
  duckdb?: DuckDbConnectionLike | undefined;
  /**
   * Checkpoint every this many commits (unless a table sets `delta.checkpointInterval`).
   * @default 10
   */
  checkpointInterval?: number | undefined;
  /**
   * Where table versions are kept once read or committed, so that reading a version
   * again (the one just committed, say) replays nothing and reading the latest replays
   * only newer commits. `false` turns caching off.
   * @default a new {@link DeltaSnapshotCache} with its default bounds
   */
  snapshotCache?: DeltaSnapshotCache | false | undefined;
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
export function createDeltaTableFormat(options: DeltaTableFormatOptions): DeltaTableFormat {
  // Without a connection given, calls that read or write a checkpoint share one DuckDB
  // database, closed when idle, so the format object needs no close().
  return deltaTableFormatOn(
    options,
    options.duckdb === undefined ? new SharedDuckDbInstance() : undefined,
  );
}

/** The {@link TableFormat} {@link createDeltaTableFormat} returns. */
export type DeltaTableFormat = TableFormat & {
  snapshot(table: TableRef, options?: TableSnapshotOptions): Promise<DeltaSnapshot | undefined>;
};

/**
 * {@link createDeltaTableFormat} with the connections it reads and writes checkpoints
 * on taken from `connections` (one lease per call) instead of `options.duckdb`. A
 * lakehouse session passes its own engine's, so that a checkpoint read needs no
 * database of its own. Internal: not exported from the package.
 */
export function deltaTableFormatOn(
  options: DeltaTableFormatOptions,
  connections: DuckDbConnectionSource | undefined,
): DeltaTableFormat {
  const snapshotCache =
    options.snapshotCache === false
      ? undefined
      : (options.snapshotCache ?? new DeltaSnapshotCache());
  const using = async <T>(table: TableRef, run: (handle: DeltaTable) => Promise<T>): Promise<T> => {
    const lease = connections?.lease();
    const handle = new DeltaTable({
      store: options.store,
      location: table.location,
      duckdb: lease?.connection ?? options.duckdb,
      checkpointInterval: options.checkpointInterval,
      snapshotCache,
    });
    try {
      return await run(handle);
    } finally {
      await handle.close();
      await lease?.release();
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
