import type { ObjectStoreCallOptions } from "./object-store.js";
import type { SqlEngine, SqlRow } from "./sql-engine.js";
import type {
  CommitProvenance,
  TableHistoryEntry,
  TableSchema,
  TableSnapshot,
} from "./table-format.js";

/** One version of one table, by its location in the lakehouse's store. */
export interface TableVersionRef {
  /** The table's root, relative to the lakehouse's store (e.g. `silver/odoo/invoice`). */
  location: string;
  /** The version to read; the latest when left out. */
  version?: number | undefined;
}

/**
 * A view defined by SQL over a session's other views (a de-duplicated "current" view
 * of a bronze table, say). Created after every table view, in the order given.
 */
export interface DerivedViewRef {
  sql: string;
}

/** What a session's view reads: a table version or SQL over other views. */
export type SessionViewRef = TableVersionRef | DerivedViewRef;

/** What a write committed. */
export interface TableWriteResult {
  /** The table's root, as given. */
  location: string;
  /** The version the write created; `undefined` when nothing was written (no rows to append). */
  version: number | undefined;
  /** Rows written by this commit. */
  rowCount: number;
  /**
   * The content hash of the version written, when `WriteQueryOptions.contentHash` asked
   * for it and the lakehouse computed it with the write (it can when the version holds
   * only the rows written: an overwrite, or a write that creates the table). Equal to
   * `contentHash()` of that version. Undefined otherwise: hash the version instead.
   */
  contentHash?: TableContentHash | undefined;
}

/** An order-independent hash of a table version's rows. */
export interface TableContentHash {
  /**
   * SHA-256 (lowercase hex) of the table's rows as a multiset, in the format `format`
   * names: equal for equal rows whatever their order or file layout.
   */
  sha256: string;
  /** Rows hashed. */
  rowCount: number;
  /**
   * The fingerprint's format, so that a recorded hash says how to reproduce it:
   * `controlroom-rowset-v2+duckdb-<version>` (DuckDB's `hash()` per row, summed; the
   * DuckDB lakehouses) or `controlroom-rowset-v1` (`createRowSetHash()` over the rows as
   * the engine reads them). Hashes of different formats never compare equal.
   * @default undefined (a lakehouse that does not say; treat it as v1)
   */
  format?: string | undefined;
  /** The version hashed. */
  version: number;
}

/** Options of {@link Lakehouse.appendRows}. */
export interface AppendRowsOptions extends ObjectStoreCallOptions {
  /** The table's columns (used to create it when missing, and to type the rows). */
  schema: TableSchema;
  provenance: CommitProvenance;
  /** Partition columns when the append creates the table. @default [] */
  partitionColumns?: string[] | undefined;
}

/** Options of {@link LakehouseSession.writeQuery}. */
export interface WriteQueryOptions extends ObjectStoreCallOptions {
  /** `overwrite` replaces every row in one commit; `append` adds the result. */
  mode: "append" | "overwrite";
  provenance: CommitProvenance;
  /** Partition columns when the write creates the table. @default [] */
  partitionColumns?: string[] | undefined;
  /**
   * Ask for the written version's content hash with the write (`TableWriteResult.contentHash`),
   * in the lakehouse's own format with these options: a lakehouse may compute it from
   * the files while it writes them rather than read them back afterwards.
   * @default undefined (no hash)
   */
  contentHash?: Pick<ContentHashOptions, "excludeColumns"> | undefined;
}

/** Options of {@link Lakehouse.contentHash}. */
export interface ContentHashOptions extends ObjectStoreCallOptions {
  /**
   * Columns left out of the hash (audit columns such as `_ingested_at` that differ on
   * every run by design).
   * @default []
   */
  excludeColumns?: readonly string[] | undefined;
  /**
   * The format to compute, as a recorded hash names it (`TableContentHash.format`), so
   * that a hash recorded in an older format is checked in that format. A lakehouse
   * that cannot compute it throws rather than compare different formats.
   * @default the lakehouse's own
   */
  format?: string | undefined;
}

/** Options of {@link Lakehouse.session}. */
export interface LakehouseSessionOptions extends ObjectStoreCallOptions {
  /**
   * Locations the session's work will write with `writeQuery`, when known up front: a
   * lakehouse may read their current versions while it opens the session, instead of
   * one at a time before each write. A hint only; writing elsewhere works too.
   * @default []
   */
  writes?: readonly string[] | undefined;
  /**
   * How many statements the work runs at once at first (its lanes): a lakehouse may
   * size its engine's threads by it (DuckDB counts the threads that run statements
   * apart from its own). A hint only. Must be a positive integer.
   * @default 1
   */
  concurrency?: number | undefined;
}

/** Options of {@link Lakehouse.restore}. */
export interface RestoreTableOptions extends ObjectStoreCallOptions {
  /** The version whose data the table goes back to. */
  version: number;
  /** Who restored it (the rollback run), recorded in the commit. */
  provenance: CommitProvenance;
}

/** What {@link Lakehouse.restore} did. */
export interface TableRestoreResult {
  /** The table's root, as given. */
  location: string;
  /** The table's latest version afterwards: the restore's commit, or the version it was already at. */
  version: number;
  /** False when the table already read as the target version: nothing was committed. */
  committed: boolean;
  /** The latest version before the restore. */
  previousVersion: number;
  /** The version restored. */
  restoredVersion: number;
  /** Data files added back and removed. */
  filesAdded: number;
  filesRemoved: number;
}

/**
 * A SQL session over pinned table versions: each view name given to
 * {@link Lakehouse.session} reads exactly the version it was given, for the whole session.
 */
export interface LakehouseSession {
  /** Runs SQL that may name the session's views. */
  readonly engine: SqlEngine;
  /** Writes the result of `sql` (which may read the session's views) as a table's next version. */
  writeQuery(location: string, sql: string, options: WriteQueryOptions): Promise<TableWriteResult>;
  /**
   * {@link Lakehouse.contentHash} computed with the session's engine, which saves
   * opening another one per table: a phase fingerprints what it wrote before the
   * session closes (and may do it while its next write runs). Same result as
   * `Lakehouse.contentHash` for the same table version. Optional: sessions without it
   * leave hashing to the lakehouse.
   */
  contentHash?(ref: TableVersionRef, options?: ContentHashOptions): Promise<TableContentHash>;
}

/**
 * The port a table format and a SQL engine implement together (Delta with DuckDB,
 * Iceberg with Trino): what a pipeline template needs to land rows, run SQL over pinned
 * table versions, write results as new versions and fingerprint them. It keeps
 * templates independent of any one format or engine.
 *
 * @example
 * ```ts
 * async function goldTotals(lake: Lakehouse, silverVersion: number, provenance: CommitProvenance) {
 *   return lake.session({ orders: { location: "silver/orders", version: silverVersion } }, (session) =>
 *     session.writeQuery("gold/totals", "SELECT day, sum(amount) AS total FROM orders GROUP BY day", {
 *       mode: "overwrite",
 *       provenance,
 *     }),
 *   );
 * }
 * ```
 */
export interface Lakehouse {
  /** The table format, e.g. `"delta"` or `"iceberg"`. */
  readonly format: string;
  /** The SQL dialect sessions speak, e.g. `"duckdb"` or `"trino"`. */
  readonly dialect: string;
  /** The absolute URI of a table (`file:///lake/silver/orders`, `s3://bucket/silver/orders`). */
  uri(location: string): string;
  /** The table at its latest (or a given) version; `undefined` when there is none. */
  snapshot(
    ref: TableVersionRef,
    options?: ObjectStoreCallOptions,
  ): Promise<TableSnapshot | undefined>;
  /** Commit history, newest first, with each commit's provenance. */
  history(
    location: string,
    options?: ObjectStoreCallOptions & { limit?: number | undefined },
  ): Promise<TableHistoryEntry[]>;
  /**
   * Appends every row of `batches` in one commit, creating the table when it is missing.
   * Memory holds about one batch: rows are staged on disk before the commit. Nothing is
   * committed when there are no rows.
   */
  appendRows(
    location: string,
    batches: AsyncIterable<readonly SqlRow[]>,
    options: AppendRowsOptions,
  ): Promise<TableWriteResult>;
  /**
   * Opens a session in which each key of `views` is a view of that table version (or of
   * that SQL), runs
   * `work`, and closes the session (whatever `work` does).
   */
  session<T>(
    views: Readonly<Record<string, SessionViewRef>>,
    work: (session: LakehouseSession) => Promise<T>,
    options?: LakehouseSessionOptions,
  ): Promise<T>;
  /**
   * Makes a table read exactly as it did at an earlier version, in one atomic commit
   * that keeps the history (Delta's `RESTORE`), conditional on the version it read.
   * Refuses when data files the version needs are gone; commits nothing when the table
   * already reads as that version. Optional: formats without time travel leave it out.
   */
  restore?(location: string, options: RestoreTableOptions): Promise<TableRestoreResult>;
  /** The content hash of a table version: equal rows give equal hashes, whatever the files. */
  contentHash(ref: TableVersionRef, options?: ContentHashOptions): Promise<TableContentHash>;
  /** Releases engines and temporary files. */
  close?(): Promise<void>;
}
