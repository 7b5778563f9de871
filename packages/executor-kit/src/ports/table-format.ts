import type { JsonObject } from "@controlroom/contract";
import type { ObjectStoreCallOptions } from "./object-store.js";

/**
 * Where a table lives: a key prefix in the table format's {@link ObjectStore}
 * (the directory holding `_delta_log/` or `metadata/`).
 *
 * @example
 * ```ts
 * const orders: TableRef = { location: "bronze/odoo/sale_order" };
 * ```
 */
export interface TableRef {
  /** The table's root, relative to the store, without a trailing `/`. */
  location: string;
}

/** One column of a table. Types use the format's logical names (`long`, `string`, `timestamp`…). */
export interface TableField {
  name: string;
  type: string;
  nullable: boolean;
  /** Free-form metadata (comments, column mapping ids). */
  metadata?: JsonObject | undefined;
}

/** A table's columns, in order. */
export interface TableSchema {
  fields: TableField[];
}

/** One data file of a snapshot (Parquet, usually), as the log records it. */
export interface DataFile {
  /** Relative to the table's location. */
  path: string;
  sizeBytes: number;
  /** Rows in the file, when known (needed for cheap counts). */
  recordCount?: number | undefined;
  /** Partition column → value (as a string, `null` for null), for partitioned tables. */
  partitionValues?: Record<string, string | null> | undefined;
}

/** What a table looks like at one version. */
export interface TableSnapshot {
  /** The version (Delta) or snapshot sequence number (Iceberg) this describes. */
  version: number;
  schema: TableSchema;
  partitionColumns: string[];
  /** The live data files at this version. */
  files: DataFile[];
  /** Table properties (`delta.appendOnly`, `write.format.default`…). */
  properties: Record<string, string>;
}

/**
 * Why a commit happened, written into the format's commit info so that lineage goes
 * table version → run → git commit.
 */
export interface CommitProvenance {
  run_id: string;
  phase: string;
  git_sha: string;
  attempt?: number | undefined;
  [key: string]: unknown;
}

/** A change to commit atomically. */
export interface TableCommit {
  /** What kind of change this is; formats record it in their history. */
  operation: "create" | "append" | "overwrite" | "delete" | "merge";
  /** Files to add (already written under the table's location). */
  add: DataFile[];
  /**
   * Paths of files to remove (logically; the bytes stay until vacuumed).
   * @default []
   */
  remove?: string[] | undefined;
  /** Required for `create`; a new schema on other operations evolves the table. */
  schema?: TableSchema | undefined;
  /**
   * Partition columns, for `create`.
   * @default []
   */
  partitionColumns?: string[] | undefined;
  /**
   * Optimistic concurrency: commit only on top of this version, else reject. Leave it
   * out for blind appends.
   * @default undefined
   */
  expectedVersion?: number | undefined;
  provenance: CommitProvenance;
}

/** One entry of a table's history, newest first. */
export interface TableHistoryEntry {
  version: number;
  timestamp: Date;
  operation: string;
  /** The provenance recorded with the commit, when it had any. */
  provenance?: CommitProvenance | undefined;
}

/** Options of {@link TableFormat.snapshot}. */
export interface TableSnapshotOptions extends ObjectStoreCallOptions {
  /**
   * Time travel to this version.
   * @default undefined (the latest)
   */
  version?: number | undefined;
}

/**
 * The port a table format implements over an ObjectStore (Delta Lake, Apache Iceberg).
 * It reads and writes the format's log; engines read the data files it lists, and
 * phases write data files themselves, then {@link TableFormat.commit} them.
 * Commits must be atomic through {@link ObjectStore.putIfAbsent} (Delta) or
 * {@link ObjectStore.putIfMatch} (Iceberg without a catalog).
 *
 * @example
 * ```ts
 * async function rowCount(tables: TableFormat, ref: TableRef): Promise<number> {
 *   const snapshot = await tables.snapshot(ref);
 *   return (snapshot?.files ?? []).reduce((sum, file) => sum + (file.recordCount ?? 0), 0);
 * }
 * ```
 */
export interface TableFormat {
  /** The format's name, e.g. `"delta"` or `"iceberg"`. */
  readonly format: string;
  /** The table at its latest (or a given) version; `undefined` when no table is there. */
  snapshot(table: TableRef, options?: TableSnapshotOptions): Promise<TableSnapshot | undefined>;
  /**
   * Commits `change` as the next version and resolves to it. Rejects when
   * `expectedVersion` is set and another writer got there first; the phase may then
   * retry from a fresh snapshot.
   */
  commit(
    table: TableRef,
    change: TableCommit,
    options?: ObjectStoreCallOptions,
  ): Promise<{ version: number }>;
  /** Commit history, newest first. */
  history(
    table: TableRef,
    options?: ObjectStoreCallOptions & { limit?: number | undefined },
  ): Promise<TableHistoryEntry[]>;
}
