import type {
  AppendRowsOptions,
  ContentHashOptions,
  Lakehouse,
  LakehouseSession,
  ObjectStore,
  ObjectStoreCallOptions,
  RestoreTableOptions,
  SessionViewRef,
  SqlEngine,
  SqlRow,
  TableContentHash,
  TableHistoryEntry,
  TableRestoreResult,
  TableSchema,
  TableVersionRef,
  TableWriteResult,
  WriteQueryOptions,
} from "@controlroom/executor-kit";
import { duckDbLogicalType } from "../duckdb/duckdb-logical-type.js";
import { duckDbRowSetHash } from "../duckdb/duckdb-row-set-hash.js";
import { isAdapterError } from "../internal/adapter-error.js";
import { LakehouseError } from "../internal/lakehouse-error.js";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { checkSchemaFits } from "../lakehouse/check-schema-fits.js";
import { createDerivedView, isDerived } from "../lakehouse/derived-view.js";
import { invalidValueError } from "../lakehouse/invalid-value-error.js";
import { LakehouseWorkspace } from "../lakehouse/lakehouse-workspace.js";
import { stagedRowsSql, stageJsonRows } from "../lakehouse/stage-json-rows.js";
import { stagingColumns } from "../lakehouse/staging-columns.js";
import { tableLocation } from "../lakehouse/table-location.js";
import { IcebergError } from "./iceberg-error.js";
import type { IcebergLakehouseOptions } from "./iceberg-lakehouse-options.js";
import { fromPortSchema } from "./iceberg-schema.js";
import type { IcebergSnapshot } from "./iceberg-snapshot.js";
import { type IcebergTable, openIcebergTable } from "./iceberg-table.js";
import { defaultIdentifierOf } from "./lakehouse-identifier.js";
import { type IcebergScan, prepareIcebergScan } from "./prepare-iceberg-scan.js";
import { restoreIcebergTable } from "./restore-iceberg-table.js";

/**
 * The {@link Lakehouse} port on Iceberg tables registered in a SQL catalog, with DuckDB
 * in process: rows land through newline-delimited JSON staged on disk, sessions are
 * views over pinned snapshots (a version is a snapshot's sequence number), query
 * results become new snapshots, content hashes are one aggregate in DuckDB (row-set
 * hash format v2). Each call runs on a DuckDB and a scratch directory of its own,
 * released when it ends.
 *
 * Create it with {@link createIcebergLakehouse}.
 */
export class IcebergLakehouse implements Lakehouse {
  readonly format = "iceberg";
  readonly dialect = "duckdb";
  readonly #store: ObjectStore;
  readonly #options: IcebergLakehouseOptions;
  readonly #open = new Set<LakehouseWorkspace>();
  #closed = false;

  constructor(options: IcebergLakehouseOptions) {
    this.#options = options;
    this.#store = options.store;
  }

  uri(location: string): string {
    return this.#store.uri(tableLocation(location));
  }

  async snapshot(
    ref: TableVersionRef,
    options: ObjectStoreCallOptions = {},
  ): Promise<IcebergSnapshot | undefined> {
    this.#checkOpen();
    return this.#withTable(ref.location, undefined, (table) =>
      this.#snapshot(table, ref, options.signal),
    );
  }

  async history(
    location: string,
    options: ObjectStoreCallOptions & { limit?: number | undefined } = {},
  ): Promise<TableHistoryEntry[]> {
    this.#checkOpen();
    return this.#withTable(location, undefined, async (table) => {
      if ((await this.#snapshot(table, { location }, options.signal)) === undefined) {
        throw this.#notFound(location, "has no history");
      }
      const history = await table.history(options);
      return history.map(({ version, timestamp, operation, provenance }) => ({
        version,
        timestamp,
        operation,
        ...(provenance === undefined ? {} : { provenance }),
      }));
    });
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
      const engine = await workspace.engine();
      return this.#withTable(
        location,
        { engine, directory: workspace.directory },
        async (table) => {
          const existing = await this.#snapshot(table, { location }, signal);
          if (existing === undefined) {
            await this.#create(table, location, options.schema, options.partitionColumns, signal);
          } else {
            checkSchemaFits(existing.schema, options.schema, location, icebergColumnTypes);
          }
          try {
            const result = await table.append(
              { sql: stagedRowsSql(staged, columns) },
              { provenance: options.provenance, signal },
            );
            return { location, version: result.sequenceNumber, rowCount: result.rowCount };
          } catch (error) {
            throw invalidValueError(error, location);
          }
        },
      );
    });
  }

  async session<T>(
    views: Readonly<Record<string, SessionViewRef>>,
    work: (session: LakehouseSession) => Promise<T>,
    options: ObjectStoreCallOptions = {},
  ): Promise<T> {
    this.#checkOpen();
    const { signal } = options;
    return this.#withWorkspace(async (workspace) => {
      const engine = await workspace.engine();
      const scans: IcebergScan[] = [];
      try {
        const entries = Object.entries(views);
        // Table views first: derived views read them.
        for (const [name, ref] of entries) {
          if (isDerived(ref)) continue;
          const snapshot = await this.#requireSnapshot(ref, signal, `view "${name}"`);
          const scan = await prepareIcebergScan(this.#store, snapshot, {
            tempDirectory: workspace.directory,
            signal,
          });
          scans.push(scan);
          await engine.execute(`CREATE OR REPLACE VIEW ${quoteIdentifier(name)} AS ${scan.sql}`, {
            signal,
          });
        }
        for (const [name, ref] of entries) {
          if (isDerived(ref)) await createDerivedView(engine, name, ref, signal);
        }
        return await work({
          engine,
          writeQuery: (location, sql, writeOptions) =>
            this.#writeQuery(engine, workspace.directory, location, sql, writeOptions),
        });
      } finally {
        for (const scan of scans) await scan.dispose().catch(() => undefined);
      }
    });
  }

  async restore(location: string, options: RestoreTableOptions): Promise<TableRestoreResult> {
    this.#checkOpen();
    const { signal } = options;
    await this.#requireSnapshot({ location }, signal, "restore");
    await this.#requireSnapshot({ location, version: options.version }, signal, "restore");
    return this.#withTable(location, undefined, async (table) => {
      const result = await restoreIcebergTable(table, {
        version: options.version,
        provenance: options.provenance,
        signal,
      });
      return {
        location,
        version: result.commit?.sequenceNumber ?? result.previousVersion,
        committed: result.commit !== undefined,
        previousVersion: result.previousVersion,
        restoredVersion: options.version,
        filesAdded: result.filesAdded,
        filesRemoved: result.filesRemoved,
      };
    });
  }

  async contentHash(
    ref: TableVersionRef,
    options: ContentHashOptions = {},
  ): Promise<TableContentHash> {
    this.#checkOpen();
    const { signal } = options;
    return this.#withWorkspace(async (workspace) => {
      const snapshot = await this.#requireSnapshot(ref, signal, "contentHash");
      const engine = await workspace.engine();
      const scan = await prepareIcebergScan(this.#store, snapshot, {
        tempDirectory: workspace.directory,
        signal,
      });
      try {
        const { sha256, rowCount, format } = await duckDbRowSetHash(
          engine,
          `(${scan.sql})`,
          snapshot.schema.fields.map((field) => field.name),
          { exclude: options.excludeColumns, format: options.format, signal },
        );
        return { sha256, rowCount, format, version: snapshot.version };
      } finally {
        await scan.dispose().catch(() => undefined);
      }
    });
  }

  /** Interrupts running calls and deletes their scratch directories. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#open].map((workspace) => workspace.close()));
  }

  async #writeQuery(
    engine: SqlEngine,
    directory: string,
    location: string,
    sql: string,
    options: WriteQueryOptions,
  ): Promise<TableWriteResult> {
    const { signal } = options;
    return this.#withTable(location, { engine, directory }, async (table) => {
      const existing = await this.#snapshot(table, { location }, signal);
      if (existing === undefined) {
        const { rows } = await engine.query<{ column_name: string; column_type: string }>(
          `DESCRIBE ${sql}`,
          { signal },
        );
        const schema: TableSchema = {
          fields: rows.map((row) => ({
            name: row.column_name,
            type: duckDbLogicalType(row.column_type),
            nullable: true,
          })),
        };
        await this.#create(table, location, schema, options.partitionColumns, signal);
      } else if (
        options.partitionColumns !== undefined &&
        options.partitionColumns.join("\0") !== existing.partitionColumns.join("\0")
      ) {
        throw new IcebergError(
          "ICEBERG_INVALID_ARGUMENT",
          `${location} is partitioned by [${existing.partitionColumns.join(", ")}], not [${options.partitionColumns.join(", ")}]`,
        );
      }
      const write = options.mode === "overwrite" ? table.overwrite : table.append;
      const result = await write.call(table, { sql }, { provenance: options.provenance, signal });
      return { location, version: result.sequenceNumber, rowCount: result.rowCount };
    });
  }

  // Creates the table (identity partitions on `partitionColumns`); a writer that
  // created it first is fine.
  async #create(
    table: IcebergTable,
    location: string,
    schema: TableSchema,
    partitionColumns: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    try {
      await table.create({
        schema: fromPortSchema(schema),
        partitionSpec: (partitionColumns ?? []).map((source) => ({ source })),
        location: tableLocation(location),
        signal,
      });
    } catch (error) {
      if (!(isAdapterError(error) && error.code === "ICEBERG_TABLE_EXISTS")) throw error;
    }
  }

  async #withTable<T>(
    location: string,
    use: { engine: SqlEngine; directory: string } | undefined,
    work: (table: IcebergTable) => Promise<T>,
  ): Promise<T> {
    const table = openIcebergTable({
      store: this.#store,
      catalog: this.#options.catalog,
      identifier: (this.#options.identifierOf ?? defaultIdentifierOf)(tableLocation(location)),
      engine: use?.engine,
      tempDirectory: use?.directory ?? this.#options.tempDirectory,
      targetFileSize: this.#options.targetFileSize,
      maxCommitAttempts: this.#options.maxCommitAttempts,
    });
    try {
      return await work(table);
    } finally {
      await table.close();
    }
  }

  async #withWorkspace<T>(work: (workspace: LakehouseWorkspace) => Promise<T>): Promise<T> {
    const workspace = await LakehouseWorkspace.open(
      this.#options.tempDirectory,
      this.#options.engine ?? {},
    );
    this.#open.add(workspace);
    try {
      this.#checkOpen();
      return await work(workspace);
    } finally {
      this.#open.delete(workspace);
      await workspace.close();
    }
  }

  async #snapshot(
    table: IcebergTable,
    ref: TableVersionRef,
    signal: AbortSignal | undefined,
  ): Promise<IcebergSnapshot | undefined> {
    let snapshot: IcebergSnapshot;
    try {
      snapshot = await table.snapshot({ version: ref.version, signal });
    } catch (error) {
      if (isAdapterError(error) && error.code === "ICEBERG_TABLE_NOT_FOUND") return undefined;
      if (isAdapterError(error) && error.code === "ICEBERG_SNAPSHOT_NOT_FOUND") {
        throw new LakehouseError(
          "LAKEHOUSE_VERSION_NOT_FOUND",
          `the Iceberg table at ${ref.location} (${table.name}) has no version ${ref.version}: ${error.message}`,
          { location: ref.location, cause: error },
        );
      }
      throw error;
    }
    // Two locations mapped to one catalog name would read each other's table.
    if (snapshot.tableLocation !== this.uri(ref.location)) {
      throw new IcebergError(
        "ICEBERG_INVALID_ARGUMENT",
        `${ref.location} maps to the catalog table ${table.name}, which lives at ${snapshot.tableLocation}, not ${this.uri(ref.location)}`,
      );
    }
    return snapshot;
  }

  async #requireSnapshot(
    ref: TableVersionRef,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<IcebergSnapshot> {
    const snapshot = await this.#withTable(ref.location, undefined, (table) =>
      this.#snapshot(table, ref, signal),
    );
    if (snapshot === undefined) throw this.#notFound(ref.location, `(${what})`);
    return snapshot;
  }

  #notFound(location: string, detail: string): LakehouseError {
    return new LakehouseError(
      "LAKEHOUSE_TABLE_NOT_FOUND",
      `no Iceberg table at ${location} (${this.uri(location)}) ${detail}`,
      { location },
    );
  }

  #checkOpen(): void {
    if (this.#closed) throw new LakehouseError("LAKEHOUSE_CLOSED", "the lakehouse is closed");
  }
}

/**
 * Creates an {@link IcebergLakehouse}: the `Lakehouse` port on Iceberg tables in
 * `store`, registered in a SQL catalog, with DuckDB (`@duckdb/node-api`, an optional
 * peer dependency) as the SQL engine. Pipeline templates (the medallion phases) run on
 * it unchanged.
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * import { createIcebergLakehouse, createIcebergSqlCatalog } from "@controlroom/adapters/iceberg";
 * import { createLocalObjectStore } from "@controlroom/adapters/local";
 *
 * const lake = createIcebergLakehouse({
 *   store: createLocalObjectStore({ root: "./lake" }),
 *   catalog: createIcebergSqlCatalog({ connection: postgres(process.env.CATALOG_URL!), catalogName: "lake" }),
 * });
 * const provenance = { run_id: "run_42", phase: "gold", git_sha: "3f2c1e0" };
 * const { version } = await lake.session({ orders: { location: "silver/odoo/orders" } }, (session) =>
 *   session.writeQuery("gold/finance/daily", "SELECT day, sum(amount) AS total FROM orders GROUP BY day", {
 *     mode: "overwrite",
 *     provenance,
 *   }),
 * );
 * await lake.close();
 * ```
 */
export function createIcebergLakehouse(options: IcebergLakehouseOptions): IcebergLakehouse {
  return new IcebergLakehouse(options);
}

// Iceberg types, so that port types Iceberg stores alike (`short` and `integer` are both
// `int`) count as the same.
function icebergColumnTypes(schema: TableSchema): Map<string, string> {
  return new Map(fromPortSchema(schema).fields.map((f) => [f.name.toLowerCase(), f.type]));
}
