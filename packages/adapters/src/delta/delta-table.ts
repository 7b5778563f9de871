import type {
  CommitProvenance,
  ObjectStore,
  TableCommit,
  TableSchema,
} from "@controlroom/executor-kit";
import {
  type CommitContext,
  commitDeltaChange,
  type DeltaCommitResult,
} from "./commit-delta-change.js";
import { type DeltaHistoryEntry, readDeltaHistory } from "./delta-history.js";
import { listDeltaLog } from "./delta-log-listing.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import type { DeltaSnapshotCache } from "./delta-snapshot-cache.js";
import {
  type DuckDbConnectionLike,
  type DuckDbSession,
  openDuckDbSession,
} from "./duckdb-session.js";
import { loadCachedDeltaState } from "./load-cached-delta-state.js";
import type { LoadedDeltaState } from "./load-delta-state.js";
import { type DeltaScan, prepareDeltaScan } from "./prepare-delta-scan.js";
import { type DeltaRows, readDeltaRows } from "./read-delta-rows.js";
import {
  type DeltaRestoreOptions,
  type DeltaRestoreResult,
  restoreDeltaTable,
} from "./restore-delta-table.js";
import { writeDeltaCheckpoint } from "./write-delta-checkpoint.js";
import { type DeltaWriteInput, writeDeltaDataFiles } from "./write-delta-data-files.js";

/** Options of {@link openDeltaTable}. */
export interface DeltaTableOptions {
  /** The store holding the table. */
  store: ObjectStore;
  /** The table's root in the store (the directory holding `_delta_log/`), no trailing `/`. */
  location: string;
  /**
   * A `@duckdb/node-api` connection to read and write Parquet with (its session time
   * zone is set to UTC).
   * @default undefined (an in-memory DuckDB opened on first use, closed by `close()`)
   */
  duckdb?: DuckDbConnectionLike | undefined;
  /**
   * Write a checkpoint after every this many commits, unless the table sets
   * `delta.checkpointInterval`.
   * @default 10
   */
  checkpointInterval?: number | undefined;
  /**
   * How many versions a blind append tries before giving up when other writers keep
   * committing first.
   * @default 20
   */
  maxCommitAttempts?: number | undefined;
  /**
   * A cache of table versions to read from and add committed versions to; share one
   * between handles (as {@link createDeltaTableFormat} does) so that a version written
   * or read once is not replayed again.
   * @default undefined (every read replays the log)
   */
  snapshotCache?: DeltaSnapshotCache | undefined;
}

/** Which version {@link DeltaTable.snapshot} reads. */
export interface DeltaSnapshotOptions {
  /** Time travel to this version. @default undefined (the latest) */
  version?: number | undefined;
  /** Time travel to the last version committed at or before this instant. @default undefined */
  timestamp?: Date | undefined;
  /** Aborts the read. @default undefined */
  signal?: AbortSignal | undefined;
}

/** Options of {@link DeltaTable.create}. */
export interface DeltaCreateOptions {
  schema: TableSchema;
  /** @default [] */
  partitionColumns?: string[] | undefined;
  /** Table properties (`delta.checkpointInterval`, `delta.appendOnly`…). @default {} */
  properties?: Record<string, string> | undefined;
  /** @default undefined */
  name?: string | undefined;
  /** @default undefined */
  description?: string | undefined;
  provenance: CommitProvenance;
  /** Initial rows, committed in the same version as the table. @default undefined */
  data?: DeltaWriteInput | undefined;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

/** Options of {@link DeltaTable.append} and {@link DeltaTable.overwrite}. */
export interface DeltaWriteOptions {
  provenance: CommitProvenance;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

/**
 * A Delta Lake table on any {@link ObjectStore}: reads any version (log replay from
 * JSON commits and Parquet checkpoints), reads rows through DuckDB, and writes
 * (protocol reader 1 / writer 2) with atomic commits through `putIfAbsent`.
 *
 * @example
 * ```ts
 * import { createLocalObjectStore } from "@controlroom/adapters/local";
 * import { openDeltaTable } from "@controlroom/adapters/delta";
 *
 * const table = openDeltaTable({ store: createLocalObjectStore({ root: "./lake" }), location: "silver/orders" });
 * const provenance = { run_id: "run_1", phase: "silver", git_sha: "abc123" };
 * await table.create({ schema: { fields: [{ name: "id", type: "long", nullable: false }] }, provenance });
 * await table.append({ rows: [{ id: 1n }, { id: 2n }] }, { provenance });
 * const { rows } = await table.readRows();
 * await table.close();
 * ```
 */
export class DeltaTable {
  readonly store: ObjectStore;
  readonly location: string;
  readonly #options: DeltaTableOptions;
  #session: Promise<DuckDbSession> | undefined;

  constructor(options: DeltaTableOptions) {
    this.store = options.store;
    this.location = options.location.replace(/\/+$/, "");
    this.#options = options;
  }

  /** True when a table (any commit or checkpoint) exists at the location. */
  async exists(signal?: AbortSignal): Promise<boolean> {
    return (await listDeltaLog(this.store, this.location, signal)).latestVersion >= 0;
  }

  /** The table at its latest version, or at a version or instant (time travel). */
  async snapshot(options: DeltaSnapshotOptions = {}): Promise<DeltaSnapshot> {
    return (await this.#load(options)).snapshot;
  }

  /** Commits, newest first, with their provenance. */
  history(
    options: { limit?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<DeltaHistoryEntry[]> {
    return readDeltaHistory(this.store, this.location, options);
  }

  /** All rows of a version, through DuckDB (columns in schema order). */
  async readRows(
    options: DeltaSnapshotOptions & { snapshot?: DeltaSnapshot | undefined } = {},
  ): Promise<DeltaRows> {
    const snapshot = options.snapshot ?? (await this.snapshot(options));
    return readDeltaRows(this.store, this.location, snapshot, await this.session(), options.signal);
  }

  /** A DuckDB query over a version's rows, to run on {@link DeltaTable.session}. */
  async scan(
    options: DeltaSnapshotOptions & { snapshot?: DeltaSnapshot | undefined } = {},
  ): Promise<DeltaScan> {
    const snapshot = options.snapshot ?? (await this.snapshot(options));
    return prepareDeltaScan(
      this.store,
      this.location,
      snapshot,
      await this.session(),
      options.signal,
    );
  }

  /** Creates the table (version 0), optionally with its first rows. */
  async create(options: DeltaCreateOptions): Promise<DeltaCommitResult> {
    const files =
      options.data === undefined
        ? []
        : await this.#writeFiles(
            options.data,
            options.schema,
            options.partitionColumns ?? [],
            options.signal,
          );
    return this.#commit(
      {
        operation: "create",
        add: files,
        schema: options.schema,
        partitionColumns: options.partitionColumns,
        provenance: options.provenance,
      },
      { properties: options.properties, name: options.name, description: options.description },
      options.signal,
    );
  }

  /** Adds rows as new data files (a blind append: retried past concurrent appends). */
  async append(data: DeltaWriteInput, options: DeltaWriteOptions): Promise<DeltaCommitResult> {
    const { snapshot } = await this.#load({ signal: options.signal });
    const files = await this.#writeFiles(
      data,
      snapshot.schema,
      snapshot.partitionColumns,
      options.signal,
    );
    return this.#commit(
      { operation: "append", add: files, provenance: options.provenance },
      {},
      options.signal,
    );
  }

  /**
   * Replaces all rows. Fails with `DeltaConcurrentModificationError` when another
   * writer changed the table since it was read.
   */
  async overwrite(data: DeltaWriteInput, options: DeltaWriteOptions): Promise<DeltaCommitResult> {
    const { snapshot } = await this.#load({ signal: options.signal });
    const files = await this.#writeFiles(
      data,
      snapshot.schema,
      snapshot.partitionColumns,
      options.signal,
    );
    return this.#commit(
      {
        operation: "overwrite",
        add: files,
        remove: snapshot.files.map((file) => file.path),
        expectedVersion: snapshot.version,
        provenance: options.provenance,
      },
      {},
      options.signal,
    );
  }

  /**
   * Commits data files written elsewhere (the {@link TableFormat} port's `commit`):
   * `expectedVersion` makes it conditional; without it, an add-only commit is a blind
   * append.
   */
  commit(
    change: TableCommit,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<DeltaCommitResult> {
    return this.#commit(change, {}, options.signal);
  }

  /**
   * Delta's RESTORE: one commit (operation `RESTORE`, `operationParameters.version`)
   * that makes the table read exactly as it did at `version`, removing the live files
   * that version did not have and adding back the ones it had. History keeps every
   * version. Conditional on the version read, so a concurrent writer makes it fail with
   * `DeltaConcurrentModificationError`; refused with `DeltaRestoreFilesMissingError`
   * (`DELTA_RESTORE_FILES_MISSING`) when files it needs were vacuumed; a no-op
   * (`version: undefined`) when the table already has exactly those files.
   *
   * @example
   * ```ts
   * const result = await table.restore({ version: 3, provenance: { run_id, phase: "restore", git_sha } });
   * console.log(result.version ?? "already at version 3");
   * ```
   */
  restore(options: DeltaRestoreOptions): Promise<DeltaRestoreResult> {
    return restoreDeltaTable(this.#commitContext(), options);
  }

  /** Writes a checkpoint of `version` (default: the latest) and `_last_checkpoint`. */
  async checkpoint(
    options: { version?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<number> {
    const loaded = await this.#load(options);
    await writeDeltaCheckpoint(
      this.store,
      this.location,
      loaded,
      await this.session(),
      options.signal,
    );
    return loaded.snapshot.version;
  }

  /** The DuckDB session this table reads and writes Parquet with. */
  session(): Promise<DuckDbSession> {
    this.#session ??= openDuckDbSession({ connection: this.#options.duckdb });
    return this.#session;
  }

  /** Closes the DuckDB database the table opened (not a borrowed connection). */
  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await (await session).close();
  }

  #load(options: DeltaSnapshotOptions): Promise<LoadedDeltaState> {
    return loadCachedDeltaState(
      {
        store: this.store,
        location: this.location,
        session: () => this.session(),
        cache: this.#options.snapshotCache,
      },
      options,
    );
  }

  async #writeFiles(
    data: DeltaWriteInput,
    schema: TableSchema,
    partitionColumns: string[],
    signal: AbortSignal | undefined,
  ) {
    return writeDeltaDataFiles(
      { store: this.store, location: this.location, session: await this.session() },
      data,
      schema,
      partitionColumns,
      signal,
    );
  }

  #commit(
    change: TableCommit,
    extra: {
      properties?: Record<string, string> | undefined;
      name?: string | undefined;
      description?: string | undefined;
    },
    signal: AbortSignal | undefined,
  ): Promise<DeltaCommitResult> {
    return commitDeltaChange(this.#commitContext(), change, extra, signal);
  }

  #commitContext(): CommitContext {
    return {
      store: this.store,
      location: this.location,
      session: () => this.session(),
      checkpointInterval: this.#options.checkpointInterval ?? 10,
      maxAttempts: this.#options.maxCommitAttempts ?? 20,
      cache: this.#options.snapshotCache,
    };
  }
}

/**
 * Opens a {@link DeltaTable} handle; nothing is read until a method is called.
 *
 * @example
 * ```ts
 * const table = openDeltaTable({ store, location: "bronze/odoo/sale_order" });
 * const snapshot = await table.snapshot({ version: 3 });
 * ```
 */
export function openDeltaTable(options: DeltaTableOptions): DeltaTable {
  return new DeltaTable(options);
}
