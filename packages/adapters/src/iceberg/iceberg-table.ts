import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  CommitProvenance,
  ObjectStore,
  SqlEngine,
  TableHistoryEntry,
} from "@controlroom/executor-kit";
import {
  commitIcebergChange,
  type IcebergChange,
  type IcebergCommitResult,
  loadCurrentTable,
} from "./commit-iceberg-change.js";
import { IcebergError } from "./iceberg-error.js";
import { schemaOf } from "./iceberg-metadata.js";
import { newTableMetadataJson, nextMetadataFileName } from "./iceberg-metadata-updates.js";
import { buildPartitionSpec, type PartitionFieldInput } from "./iceberg-partition-spec.js";
import { type IcebergSchema, validateIcebergSchema } from "./iceberg-schema.js";
import {
  buildIcebergSnapshot,
  type IcebergSnapshot,
  type IcebergSnapshotSelector,
  selectSnapshot,
} from "./iceberg-snapshot.js";
import { provenanceOf } from "./iceberg-snapshot-summary.js";
import type { IcebergSqlCatalog, IcebergTableIdentifier } from "./iceberg-sql-catalog.js";
import { stringifyLosslessJson } from "./lossless-json.js";
import { type IcebergScan, prepareIcebergScan } from "./prepare-iceberg-scan.js";
import { requireStoreKey } from "./read-iceberg-files.js";
import { liveEntries } from "./read-snapshot-files.js";
import { type IcebergWriteInput, writeInputSql } from "./stage-write-input.js";
import { writeIcebergDataFiles } from "./write-iceberg-data-files.js";

/** Options of {@link openIcebergTable}. */
export interface IcebergTableOptions {
  /** The store holding the table's files (metadata, manifests, data). */
  store: ObjectStore;
  /** The SQL catalog naming the table's current metadata file. */
  catalog: IcebergSqlCatalog;
  identifier: IcebergTableIdentifier;
  /**
   * A DuckDB engine (`createDuckDbEngine()` from `@controlroom/adapters/duckdb`) to
   * write and read Parquet with.
   * @default an in-memory DuckDB opened on first use and closed by `close()`
   */
  engine?: SqlEngine | undefined;
  /** Scratch space for staged rows, Parquet files and downloads. @default os.tmpdir() */
  tempDirectory?: string | undefined;
  /** Catalog commits an append tries when other writers keep committing first. @default 10 */
  maxCommitAttempts?: number | undefined;
  /** Start a new Parquet data file after about this many bytes. @default "128MB" */
  targetFileSize?: string | undefined;
}

/** Options of {@link IcebergTable.create}. */
export interface IcebergCreateOptions {
  /** Columns with their field ids and Iceberg types. */
  schema: IcebergSchema;
  /** Partition fields, e.g. `[{ source: "at", transform: "day" }]`. @default [] (unpartitioned) */
  partitionSpec?: readonly PartitionFieldInput[] | undefined;
  /**
   * Where the table's files go, as a key prefix in the store.
   * @default the namespace levels and the name joined by `/` (`bronze/orders`)
   */
  location?: string | undefined;
  /** Table properties. @default {} */
  properties?: Record<string, string> | undefined;
  /** Rows to append right after creating (a second snapshot-bearing commit). @default undefined */
  data?: IcebergWriteInput | undefined;
  /** Recorded in the first snapshot's summary when `data` is given. */
  provenance?: CommitProvenance | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of {@link IcebergTable.append} and {@link IcebergTable.overwrite}. */
export interface IcebergWriteOptions {
  /** Recorded in the snapshot summary as `controlroom.run_id`, `.phase`, `.git_sha`… */
  provenance: CommitProvenance;
  signal?: AbortSignal | undefined;
}

/** What a write committed. */
export interface IcebergWriteResult extends IcebergCommitResult {
  /** Rows written. */
  rowCount: number;
}

/** One snapshot in the table's history. */
export interface IcebergHistoryEntry extends TableHistoryEntry {
  snapshotId: bigint;
  parentSnapshotId: bigint | undefined;
  summary: Record<string, string>;
}

/**
 * An Apache Iceberg (format v2) table on any {@link ObjectStore}, registered in a SQL
 * catalog. Writes Parquet data files with DuckDB (columns tagged with field ids),
 * manifests and manifest lists in Avro, and commits each change as a snapshot by
 * swapping the catalog row. Reads any snapshot (time travel by id, sequence number or
 * instant) through DuckDB, columns matched by field id.
 *
 * @example
 * ```ts
 * const table = openIcebergTable({ store, catalog, identifier: { namespace: ["silver"], name: "orders" } });
 * const provenance = { run_id: "run_1", phase: "silver", git_sha: "abc123" };
 * await table.create({
 *   schema: { fields: [{ id: 1, name: "id", type: "long", required: true }, { id: 2, name: "day", type: "date", required: false }] },
 *   partitionSpec: [{ source: "day", transform: "month" }],
 * });
 * const { snapshotId } = await table.append({ rows: [{ id: 1n, day: "2024-01-02" }] }, { provenance });
 * const { rows } = await table.readRows({ snapshotId });
 * await table.close();
 * ```
 */
export class IcebergTable {
  readonly store: ObjectStore;
  readonly catalog: IcebergSqlCatalog;
  readonly identifier: IcebergTableIdentifier;
  readonly #options: IcebergTableOptions;
  #engine: Promise<SqlEngine> | undefined;
  #ownsEngine = false;

  constructor(options: IcebergTableOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.identifier = {
      namespace: [...options.identifier.namespace],
      name: options.identifier.name,
    };
    this.#options = options;
  }

  /** `namespace.name`, for messages. */
  get name(): string {
    return [...this.identifier.namespace, this.identifier.name].join(".");
  }

  /** True when the catalog has the table. */
  async exists(): Promise<boolean> {
    return (await this.catalog.loadTable(this.identifier)) !== undefined;
  }

  /**
   * Creates the table: writes its first metadata file (no snapshot) and inserts its
   * catalog row (creating the namespace when missing). `ICEBERG_TABLE_EXISTS` when the
   * catalog has the name already.
   */
  async create(options: IcebergCreateOptions): Promise<{ metadataLocation: string }> {
    const schema = validateIcebergSchema({ ...options.schema, schemaId: 0 });
    const spec = buildPartitionSpec(schema, options.partitionSpec ?? []);
    const location = (
      options.location ?? [...this.identifier.namespace, this.identifier.name].join("/")
    ).replace(/\/+$/, "");
    const json = newTableMetadataJson({
      location: this.store.uri(location),
      schema,
      spec,
      properties: options.properties ?? {},
      nowMs: Date.now(),
    });
    const key = `${location}/metadata/${nextMetadataFileName(undefined)}`;
    await this.store.put(key, new TextEncoder().encode(stringifyLosslessJson(json)), {
      signal: options.signal,
    });
    const metadataLocation = this.store.uri(key);
    let created: boolean;
    try {
      created = await this.catalog.createTable(this.identifier, metadataLocation);
    } catch (error) {
      if (isDefiniteFailure(error)) await this.store.delete(key).catch(() => undefined);
      throw error;
    }
    if (!created) {
      await this.store.delete(key).catch(() => undefined);
      throw new IcebergError(
        "ICEBERG_TABLE_EXISTS",
        `the catalog already has a table ${this.name}`,
      );
    }
    if (options.data !== undefined) {
      if (options.provenance === undefined) {
        throw new IcebergError("ICEBERG_INVALID_ARGUMENT", "create with data needs provenance");
      }
      await this.append(options.data, { provenance: options.provenance, signal: options.signal });
    }
    return { metadataLocation };
  }

  /** The current snapshot, or one by id, sequence number (`version`) or instant. */
  async snapshot(
    options: IcebergSnapshotSelector & { signal?: AbortSignal | undefined } = {},
  ): Promise<IcebergSnapshot> {
    const { metadata, metadataLocation } = await this.#current(options.signal);
    const entry = selectSnapshot(metadata, options, this.name);
    const live = entry === undefined ? [] : await liveEntries(this.store, entry, options.signal);
    return buildIcebergSnapshot(
      metadata,
      metadataLocation,
      entry,
      live.map((e) => e.dataFile),
    );
  }

  /**
   * The snapshots of the current one's lineage (each one's parent, and so on), newest
   * first, with the provenance their summaries record.
   */
  async history(
    options: { limit?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<IcebergHistoryEntry[]> {
    const { metadata } = await this.#current(options.signal);
    const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
    const entries: IcebergHistoryEntry[] = [];
    let id = metadata.currentSnapshotId;
    while (id !== undefined && entries.length < (options.limit ?? Number.POSITIVE_INFINITY)) {
      const snapshot = byId.get(id);
      if (snapshot === undefined) break; // expired ancestors end the lineage
      entries.push({
        version: snapshot.sequenceNumber,
        timestamp: new Date(snapshot.timestampMs),
        operation: snapshot.summary.operation ?? "unknown",
        provenance: provenanceOf(snapshot.summary),
        snapshotId: snapshot.snapshotId,
        parentSnapshotId: snapshot.parentSnapshotId,
        summary: snapshot.summary,
      });
      id = snapshot.parentSnapshotId;
    }
    return entries;
  }

  /** A DuckDB query over a snapshot's rows, to run on {@link IcebergTable.engine}. */
  async scan(
    options: IcebergSnapshotSelector & {
      snapshot?: IcebergSnapshot | undefined;
      signal?: AbortSignal | undefined;
    } = {},
  ): Promise<IcebergScan> {
    const snapshot = options.snapshot ?? (await this.snapshot(options));
    return prepareIcebergScan(this.store, snapshot, {
      tempDirectory: this.#options.tempDirectory,
      signal: options.signal,
    });
  }

  /** Every row of a snapshot (for tests, previews and small tables), in schema order. */
  async readRows(
    options: IcebergSnapshotSelector & { signal?: AbortSignal | undefined } = {},
  ): Promise<{ columns: { name: string; type: string }[]; rows: Record<string, unknown>[] }> {
    const scan = await this.scan(options);
    try {
      const { rows } = await (await this.engine()).query(scan.sql, { signal: options.signal });
      return { columns: scan.columns, rows };
    } finally {
      await scan.dispose();
    }
  }

  /**
   * Adds rows as new data files in one snapshot. A blind append: when another writer
   * commits first it is re-applied on top (up to `maxCommitAttempts`).
   */
  append(data: IcebergWriteInput, options: IcebergWriteOptions): Promise<IcebergWriteResult> {
    return this.#write("append", data, options);
  }

  /**
   * Replaces every row in one snapshot (the old files are marked deleted). Conditional
   * on the snapshot it read: a concurrent commit makes it fail with
   * `IcebergCommitConflictError`.
   */
  overwrite(data: IcebergWriteInput, options: IcebergWriteOptions): Promise<IcebergWriteResult> {
    return this.#write("overwrite", data, options);
  }

  /**
   * Commits data files written elsewhere (or removes files) as one snapshot: the
   * low-level path {@link IcebergTable.append} and the lakehouse use.
   */
  commit(
    change: IcebergChange,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<IcebergCommitResult> {
    return commitIcebergChange(this.#commitContext(options.signal), change);
  }

  /** The DuckDB engine the table writes and reads with. */
  engine(): Promise<SqlEngine> {
    if (this.#options.engine !== undefined) return Promise.resolve(this.#options.engine);
    this.#engine ??= import("../duckdb/duckdb-engine.js").then(({ createDuckDbEngine }) => {
      this.#ownsEngine = true;
      return createDuckDbEngine({ path: ":memory:" });
    });
    return this.#engine;
  }

  /** Closes the DuckDB engine the table opened (not one it was given). */
  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine !== undefined && this.#ownsEngine) await (await engine).close?.();
  }

  async #write(
    operation: "append" | "overwrite",
    data: IcebergWriteInput,
    options: IcebergWriteOptions,
  ): Promise<IcebergWriteResult> {
    const { signal } = options;
    const { metadata } = await this.#current(signal);
    const schema = schemaOf(metadata, metadata.currentSchemaId);
    const spec = metadata.specs.find((s) => s.specId === metadata.defaultSpecId);
    if (spec === undefined) {
      throw new IcebergError("ICEBERG_INVALID_METADATA", `${this.name} has no default spec`);
    }
    const directory = await mkdtemp(
      join(this.#options.tempDirectory ?? tmpdir(), "controlroom-iceberg-write-"),
    );
    let keys: string[] = [];
    try {
      const input = await writeInputSql(data, schema, directory);
      const written = await writeIcebergDataFiles(
        {
          store: this.store,
          engine: await this.engine(),
          location: requireStoreKey(this.store, metadata.location),
          tempDirectory: directory,
          targetFileSize: this.#options.targetFileSize,
          signal,
        },
        input.sql,
        schema,
        spec,
        input.params,
      );
      keys = written.keys;
      const result = await this.commit(
        {
          operation,
          add: written.files,
          remove: operation === "overwrite" ? () => true : undefined,
          schemaId: metadata.currentSchemaId,
          specId: metadata.defaultSpecId,
          expectedSnapshotId:
            operation === "overwrite" ? (metadata.currentSnapshotId ?? null) : undefined,
          provenance: options.provenance,
        },
        { signal },
      );
      keys = [];
      return { ...result, rowCount: written.rowCount };
    } catch (error) {
      // Data files of a failed commit are garbage, unless the outcome is unknown.
      if (isDefiniteFailure(error)) {
        await Promise.all(keys.map((key) => this.store.delete(key).catch(() => undefined)));
      }
      throw error;
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  async #current(signal: AbortSignal | undefined) {
    const current = await loadCurrentTable({
      store: this.store,
      catalog: this.catalog,
      identifier: this.identifier,
      signal,
    });
    if (current === undefined) {
      throw new IcebergError("ICEBERG_TABLE_NOT_FOUND", `the catalog has no table ${this.name}`);
    }
    return current;
  }

  #commitContext(signal: AbortSignal | undefined) {
    return {
      store: this.store,
      catalog: this.catalog,
      identifier: this.identifier,
      maxAttempts: this.#options.maxCommitAttempts ?? 10,
      signal,
    };
  }
}

/**
 * Opens an {@link IcebergTable} handle; nothing is read until a method is called.
 *
 * @example
 * ```ts
 * const table = openIcebergTable({ store, catalog, identifier: { namespace: ["bronze"], name: "orders" } });
 * const snapshot = await table.snapshot({ snapshotId: "3051729675574597004" });
 * ```
 */
export function openIcebergTable(options: IcebergTableOptions): IcebergTable {
  return new IcebergTable(options);
}

function isDefiniteFailure(error: unknown): boolean {
  return !(error instanceof IcebergError && error.code === "ICEBERG_COMMIT_STATE_UNKNOWN");
}
