import type {
  AppendRowsOptions,
  ContentHashOptions,
  Lakehouse,
  LakehouseSession,
  LakehouseSessionOptions,
  ObjectStore,
  ObjectStoreCallOptions,
  RestoreTableOptions,
  SessionViewRef,
  SqlEngine,
  SqlRow,
  TableContentHash,
  TableHistoryEntry,
  TableRestoreResult,
  TableSnapshot,
  TableVersionRef,
  TableWriteResult,
  WriteQueryOptions,
} from "@controlroom/executor-kit";
import { duckDbRowSetHash } from "../duckdb/duckdb-row-set-hash.js";
import {
  createTableViews,
  type PreparedTableView,
  prepareTableView,
  type TableView,
} from "../duckdb/register-table-view.js";
import { writeQueryToTable } from "../duckdb/write-query-to-table.js";
import { isAdapterError } from "../internal/adapter-error.js";
import { followSignal } from "../internal/follow-signal.js";
import { LakehouseError } from "../internal/lakehouse-error.js";
import { mapWithLimit } from "../internal/map-with-limit.js";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { checkSchemaFits } from "../lakehouse/check-schema-fits.js";
import { createDerivedView, isDerived } from "../lakehouse/derived-view.js";
import { invalidValueError } from "../lakehouse/invalid-value-error.js";
import { LakehouseWorkspace, preloadEngineModule } from "../lakehouse/lakehouse-workspace.js";
import { type ReadAhead, readAhead } from "../lakehouse/read-ahead.js";
import { stagedRowsSql, stageJsonRows } from "../lakehouse/stage-json-rows.js";
import { stagingColumns } from "../lakehouse/staging-columns.js";
import { tableLocation } from "../lakehouse/table-location.js";
import type { DeltaLakehouseOptions } from "./delta-lakehouse-options.js";
import { DeltaSnapshotCache } from "./delta-snapshot-cache.js";
import { openDeltaTable } from "./delta-table.js";
import {
  createDeltaTableFormat,
  type DeltaTableFormat,
  deltaTableFormatOn,
} from "./delta-table-format.js";
import { engineConnectionSource } from "./engine-connection-source.js";

// Logs read at once when a session opens: each is a few small reads, so a session waits
// on their round trips, not on the reads (the Odoo demo's 11 gold inputs: 15-21 ms at
// 16, 18-37 ms at 4). They follow the caller's signal with one listener (followSignal).
const LOG_READS_AT_ONCE = 16;
// Views whose files are made local at once: a store that is not a local directory
// downloads them (each view several files at a time), so few.
const VIEW_CONCURRENCY = 4;

/**
 * The {@link Lakehouse} port on Delta Lake tables with DuckDB in process: rows land
 * through newline-delimited JSON staged on disk, sessions are views over pinned table
 * versions, query results become new versions, and content hashes are one aggregate in
 * DuckDB (row-set hash format v2, `duckDbRowSetHash`).
 * Each session, append and hash runs on an in-memory DuckDB of its own (so concurrent
 * sessions cannot see each other's views, and memory is released afterwards) and a
 * scratch directory that is deleted when it ends.
 *
 * Create it with {@link createDeltaLakehouse}.
 */
export class DeltaLakehouse implements Lakehouse {
  readonly format = "delta";
  readonly dialect = "duckdb";
  readonly #store: ObjectStore;
  readonly #tables: DeltaTableFormat;
  // Shared by the table format and restores: a version committed by a write is hashed
  // and read again without a log replay.
  readonly #snapshots = new DeltaSnapshotCache();
  readonly #options: DeltaLakehouseOptions;
  readonly #open = new Set<LakehouseWorkspace>();
  #closed = false;

  constructor(options: DeltaLakehouseOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#tables = createDeltaTableFormat({
      store: options.store,
      checkpointInterval: options.checkpointInterval,
      snapshotCache: this.#snapshots,
    });
    // Everything but snapshots and history runs on DuckDB: load its module now, not
    // in the first session's way.
    preloadEngineModule();
  }

  uri(location: string): string {
    return this.#store.uri(tableLocation(location));
  }

  async snapshot(
    ref: TableVersionRef,
    options: ObjectStoreCallOptions = {},
  ): Promise<TableSnapshot | undefined> {
    this.#checkOpen();
    return this.#snapshot(ref, options.signal);
  }

  async history(
    location: string,
    options: ObjectStoreCallOptions & { limit?: number | undefined } = {},
  ): Promise<TableHistoryEntry[]> {
    this.#checkOpen();
    try {
      return await this.#tables.history({ location: tableLocation(location) }, options);
    } catch (error) {
      if (isAdapterError(error) && error.code === "DELTA_TABLE_NOT_FOUND") {
        throw this.#notFound(location, "has no history", error);
      }
      throw error;
    }
  }

  async appendRows(
    location: string,
    batches: AsyncIterable<readonly SqlRow[]>,
    options: AppendRowsOptions,
  ): Promise<TableWriteResult> {
    this.#checkOpen();
    // Before any row is read: an unsupported column fails at once.
    const columns = stagingColumns(options.schema, location);
    const { signal } = options;
    return this.#withWorkspace(async (workspace) => {
      const staged = await stageJsonRows(batches, columns, workspace.directory, {
        location,
        signal,
      });
      if (staged.rowCount === 0) return { location, version: undefined, rowCount: 0 };
      const existing = await this.#snapshot({ location }, signal);
      if (existing !== undefined) checkSchemaFits(existing.schema, options.schema, location);
      const engine = await workspace.engine();
      try {
        const written = await writeQueryToTable(
          engine,
          stagedRowsSql(staged, columns),
          this.#tables,
          { location: tableLocation(location) },
          {
            store: this.#store,
            mode: "append",
            provenance: options.provenance,
            partitionColumns: options.partitionColumns,
            schema: options.schema,
            targetFileSize: this.#options.targetFileSize,
            tempDirectory: workspace.directory,
            signal,
          },
        );
        return { location, version: written.version, rowCount: written.rowCount };
      } catch (error) {
        throw invalidValueError(error, location);
      }
    });
  }

  async session<T>(
    views: Readonly<Record<string, SessionViewRef>>,
    work: (session: LakehouseSession) => Promise<T>,
    options: LakehouseSessionOptions = {},
  ): Promise<T> {
    this.#checkOpen();
    const { signal } = options;
    let ahead: ReadAhead | undefined;
    // Ends the read-ahead when the session's work is over, before the engine closes: a
    // log read still running then (the work failed early) is of no use any more, and a
    // checkpoint read on a closed engine would fall back to replaying every commit.
    const over = new AbortController();
    return this.#withWorkspace(async (workspace) => {
      // The engine's database starts (20-30 ms) while the views' logs are read.
      const starting = workspace.engine();
      starting.catch(() => undefined);
      // The session's tables read and write checkpoints on connections of the session's
      // own engine (each its own, so their settings stay off the user's SQL) rather than
      // on a second database started for them. Same snapshot cache as the lakehouse's.
      const tables = deltaTableFormatOn(
        {
          store: this.#store,
          checkpointInterval: this.#options.checkpointInterval,
          snapshotCache: this.#snapshots,
        },
        engineConnectionSource(() => starting),
      );
      // The tables the work will write: their logs are read (into the snapshot cache)
      // while the engine starts and the views register, rather than one by one before
      // each write. Failures are left for the write to meet and report.
      ahead = readAhead(
        (options.writes ?? []).map((location) => tableLocation(location)),
        (location, aheadSignal) => this.#snapshot({ location }, aheadSignal, tables),
        signal === undefined ? over.signal : AbortSignal.any([signal, over.signal]),
      );
      try {
        const entries = Object.entries(views);
        // Table views first (derived views read them). Every table's log is read while
        // the engine starts (the reads need no engine); then the views are created. A
        // failure is reported for the first view in order that has one, whether its log,
        // its files or its SQL failed, as when each view did all three in turn. The views are
        // not dropped one by one at the end: closing the workspace closes the engine that
        // holds them and deletes the directory that holds any downloaded copies of files.
        const reads = followSignal(signal, LOG_READS_AT_ONCE * 2);
        const loaded = await mapWithLimit(entries, LOG_READS_AT_ONCE, async ([name, ref]) => {
          if (isDerived(ref)) return undefined;
          const location = tableLocation(ref.location);
          return this.#requireSnapshot(ref, reads.signal, `view "${name}"`, tables).then(
            (snapshot) => ({ name, location, snapshot }),
            (error: unknown) => ({ error }),
          );
        }).finally(() => reads.release());
        // The views' files (downloaded when the store is not local) a few at once; then
        // every view that has its files in one statement. The first view in order with
        // an error (its log, its files or its SQL) still decides what is reported.
        const prepared = await mapWithLimit(loaded, VIEW_CONCURRENCY, async (table) => {
          if (table === undefined || "error" in table) return table;
          return prepareTableView(table.name, table.snapshot, {
            store: this.#store,
            location: table.location,
            tempDirectory: workspace.directory,
            signal,
          }).catch((error: unknown) => ({ error }));
        });
        const failed = prepared.findIndex((view) => view !== undefined && "error" in view);
        await createTableViews(
          await starting,
          (failed < 0 ? prepared : prepared.slice(0, failed)).filter(
            (view): view is PreparedTableView => view !== undefined && !("error" in view),
          ),
          signal,
        );
        if (failed >= 0) throw (prepared[failed] as { error: unknown }).error;
        const engine = await starting;
        for (const [name, ref] of entries) {
          if (isDerived(ref)) await createDerivedView(engine, name, ref, signal);
        }
        let hashes = 0;
        return await work({
          engine,
          writeQuery: async (location, sql, writeOptions) => {
            // A write waits for its table's read-ahead, so that it finds it cached.
            await ahead?.ready(tableLocation(location));
            return this.#writeQuery(engine, workspace, tables, location, sql, writeOptions);
          },
          contentHash: (ref, hashOptions = {}) =>
            // A view name of its own: hashes may run side by side with other work.
            this.#hashInEngine(
              engine,
              workspace,
              `__controlroom_hash_${hashes++}`,
              ref,
              { ...hashOptions, signal: hashOptions.signal ?? signal },
              tables,
            ),
        });
      } finally {
        over.abort();
      }
    }, options.concurrency).finally(() => ahead?.settled()); // No log read outlives the session.
  }

  async restore(location: string, options: RestoreTableOptions): Promise<TableRestoreResult> {
    this.#checkOpen();
    const { signal } = options;
    // Both versions must exist: say so in the lakehouse's words.
    await this.#requireSnapshot({ location }, signal, "restore");
    await this.#requireSnapshot({ location, version: options.version }, signal, "restore");
    const table = openDeltaTable({
      store: this.#store,
      location: tableLocation(location),
      checkpointInterval: this.#options.checkpointInterval,
      snapshotCache: this.#snapshots,
    });
    try {
      const result = await table.restore({
        version: options.version,
        provenance: options.provenance,
        signal,
      });
      return {
        location,
        version: result.version ?? result.readVersion,
        committed: result.version !== undefined,
        previousVersion: result.readVersion,
        restoredVersion: result.restoredVersion,
        filesAdded: result.filesAdded,
        filesRemoved: result.filesRemoved,
      };
    } finally {
      await table.close();
    }
  }

  async contentHash(
    ref: TableVersionRef,
    options: ContentHashOptions = {},
  ): Promise<TableContentHash> {
    this.#checkOpen();
    return this.#withWorkspace(async (workspace) =>
      this.#hashInEngine(await workspace.engine(), workspace, "hashed", ref, options),
    );
  }

  // The content hash of a table version in `engine`: over the version's scan as a
  // subquery (two statements: its DESCRIBE and the aggregate), or when that fails (a
  // column added after the files were written, or any error), through a view of it as
  // a session makes, which meets a genuine error again and reports it as before.
  async #hashInEngine(
    engine: SqlEngine,
    workspace: LakehouseWorkspace,
    viewName: string,
    ref: TableVersionRef,
    options: ContentHashOptions,
    tables: DeltaTableFormat = this.#tables,
  ): Promise<TableContentHash> {
    const { signal } = options;
    const snapshot = await this.#requireSnapshot(ref, signal, "contentHash", tables);
    const viewOptions = {
      store: this.#store,
      location: tableLocation(ref.location),
      tempDirectory: workspace.directory,
      signal,
    };
    const columns = snapshot.schema.fields.map((field) => field.name);
    const hashOf = async (relation: string, columnTypes?: Readonly<Record<string, string>>) => {
      const { sha256, rowCount, format } = await duckDbRowSetHash(engine, relation, columns, {
        exclude: options.excludeColumns,
        format: options.format,
        columnTypes,
        signal,
      });
      return { sha256, rowCount, format, version: snapshot.version };
    };
    const scan = await prepareTableView(viewName, snapshot, viewOptions);
    let view: TableView | undefined;
    try {
      try {
        // The scan casts its columns to the schema's types: no need to bind its files twice.
        return await hashOf(`(${scan.sql})`, scan.columnTypes);
      } catch (error) {
        // Only a failed statement may be the files' columns; the rest (a format this
        // DuckDB cannot compute, a cancellation) would fail the same way again.
        if (signal?.aborted || !isAdapterError(error) || error.code !== "DUCKDB_QUERY_FAILED") {
          throw error;
        }
      }
      // The same files (not listed or downloaded again), as a view that asks them for
      // their columns when the schema's do not bind.
      view = (await createTableViews(engine, [scan], signal))[0] as TableView;
      return await hashOf(quoteIdentifier(view.name));
    } finally {
      // A view's dispose drops it and deletes the files' copies; else only the copies.
      await (view ?? scan).dispose().catch(() => undefined);
    }
  }

  /** Interrupts running sessions, appends and hashes, and deletes their scratch directories. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#open].map((workspace) => workspace.close()));
  }

  async #writeQuery(
    engine: SqlEngine,
    workspace: LakehouseWorkspace,
    tables: DeltaTableFormat,
    location: string,
    sql: string,
    options: WriteQueryOptions,
  ): Promise<TableWriteResult> {
    const written = await writeQueryToTable(
      engine,
      sql,
      tables,
      { location: tableLocation(location) },
      {
        store: this.#store,
        mode: options.mode,
        provenance: options.provenance,
        partitionColumns: options.partitionColumns,
        targetFileSize: this.#options.targetFileSize,
        tempDirectory: workspace.directory,
        contentHash:
          options.contentHash === undefined
            ? undefined
            : { exclude: options.contentHash.excludeColumns },
        signal: options.signal,
      },
    );
    const digest = written.contentHash;
    return {
      location,
      version: written.version,
      rowCount: written.rowCount,
      ...(digest === undefined ? {} : { contentHash: { ...digest, version: written.version } }),
    };
  }

  // `concurrentQueries`: the statements the work runs at once, whose cores the
  // workspace's DuckDB leaves to them (a session's `concurrency`).
  async #withWorkspace<T>(
    work: (workspace: LakehouseWorkspace) => Promise<T>,
    concurrentQueries?: number,
  ): Promise<T> {
    const engine = this.#options.engine ?? {};
    const workspace = await LakehouseWorkspace.open(
      this.#options.tempDirectory,
      concurrentQueries === undefined ? engine : { ...engine, concurrentQueries },
    );
    this.#open.add(workspace);
    try {
      // close() may have run while the directory was being made.
      this.#checkOpen();
      return await work(workspace);
    } finally {
      this.#open.delete(workspace);
      await workspace.close();
    }
  }

  async #snapshot(
    ref: TableVersionRef,
    signal: AbortSignal | undefined,
    tables: DeltaTableFormat = this.#tables,
  ): Promise<TableSnapshot | undefined> {
    try {
      return await tables.snapshot(
        { location: tableLocation(ref.location) },
        { version: ref.version, signal },
      );
    } catch (error) {
      if (isAdapterError(error) && error.code === "DELTA_VERSION_NOT_FOUND") {
        throw new LakehouseError(
          "LAKEHOUSE_VERSION_NOT_FOUND",
          `the Delta table at ${ref.location} (${this.uri(ref.location)}) has no version ${ref.version}: ${error.message}`,
          { location: ref.location, cause: error },
        );
      }
      throw error;
    }
  }

  async #requireSnapshot(
    ref: TableVersionRef,
    signal: AbortSignal | undefined,
    what: string,
    tables: DeltaTableFormat = this.#tables,
  ): Promise<TableSnapshot> {
    const snapshot = await this.#snapshot(ref, signal, tables);
    if (snapshot === undefined) throw this.#notFound(ref.location, `(${what})`);
    return snapshot;
  }

  #notFound(location: string, detail: string, cause?: unknown): LakehouseError {
    return new LakehouseError(
      "LAKEHOUSE_TABLE_NOT_FOUND",
      `no Delta table at ${location} (${this.uri(location)}) ${detail}`,
      { location, cause },
    );
  }

  #checkOpen(): void {
    if (this.#closed) throw new LakehouseError("LAKEHOUSE_CLOSED", "the lakehouse is closed");
  }
}

/**
 * Creates a {@link DeltaLakehouse}: the `Lakehouse` port on Delta tables in `store`,
 * with DuckDB (`@duckdb/node-api`, an optional peer dependency) as the SQL engine.
 *
 * @example
 * ```ts
 * import { createDeltaLakehouse } from "@controlroom/adapters/delta";
 * import { createLocalObjectStore } from "@controlroom/adapters/local";
 *
 * const lake = createDeltaLakehouse({
 *   store: createLocalObjectStore({ root: "./lake" }),
 *   engine: { threads: 4, memoryLimit: "2GB" },
 * });
 * const provenance = { run_id: "run_42", phase: "gold", git_sha: "3f2c1e0" };
 * const { version } = await lake.session(
 *   { orders: { location: "silver/orders", version: 7 } },
 *   (session) =>
 *     session.writeQuery("gold/daily", "SELECT day, sum(amount) AS total FROM orders GROUP BY day", {
 *       mode: "overwrite",
 *       provenance,
 *     }),
 * );
 * const { sha256 } = await lake.contentHash({ location: "gold/daily", version });
 * await lake.close();
 * ```
 */
export function createDeltaLakehouse(options: DeltaLakehouseOptions): DeltaLakehouse {
  return new DeltaLakehouse(options);
}
