import { fileURLToPath } from "node:url";
import type { ObjectStore, SqlEngine, TableField, TableSnapshot } from "@controlroom/executor-kit";
import { quoteIdentifier, quoteLiteral } from "../internal/sql-quote.js";
import { DuckDbError } from "./duckdb-error.js";
import { fileUriPath, localDataFiles } from "./local-data-files.js";
import { logicalTypeSql } from "./logical-type-sql.js";

/** Options of {@link registerTableView}. */
export interface RegisterTableViewOptions {
  /** The store the table lives in (the one its TableFormat reads). */
  store: ObjectStore;
  /** The table's location in the store; the snapshot's file paths are relative to it. */
  location: string;
  /**
   * Maps an object key to a local file DuckDB can read directly, or `undefined` to
   * download the object into `tempDirectory` first.
   * @default the file behind `store.uri(key)` when it is a `file://` URI, else undefined
   */
  localPathOf?: ((key: string) => string | undefined) | undefined;
  /**
   * Where downloaded copies of remote data files go.
   * @default os.tmpdir()
   */
  tempDirectory?: string | undefined;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

/** A view registered by {@link registerTableView}. */
export interface TableView {
  /** The view's name, as given. */
  name: string;
  /** The `SELECT` the view runs (its files by local path). */
  sql: string;
  /** Drops the view and deletes downloaded copies of data files. */
  dispose(): Promise<void>;
}

const FILE_COLUMN = "__controlroom_file";

/**
 * Exposes a table format snapshot (Delta or Iceberg, through the TableFormat port) as
 * a DuckDB view: `read_parquet` over the live data files, every column cast to the
 * table's type, columns the files lack (added later) as NULL, and partition columns
 * (which the files do not hold) as typed constants per file. Files of stores that are
 * not local directories are downloaded first: this DuckDB has no httpfs.
 *
 * The view is a regular one (not TEMP), so every call of the engine sees it until
 * `dispose()`.
 *
 * @example
 * ```ts
 * const snapshot = await tables.snapshot({ location: "silver/orders" });
 * const view = await registerTableView(engine, "orders", snapshot!, { store, location: "silver/orders" });
 * try {
 *   const { rows } = await engine.query("SELECT day, count(*) AS n FROM orders GROUP BY day");
 * } finally {
 *   await view.dispose();
 * }
 * ```
 */
export async function registerTableView(
  engine: SqlEngine,
  name: string,
  snapshot: TableSnapshot,
  options: RegisterTableViewOptions,
): Promise<TableView> {
  const prepared = await prepareTableView(name, snapshot, options);
  const [view] = await createTableViews(engine, [prepared], options.signal);
  return view as TableView;
}

/**
 * A table view whose files are local and whose SQL is known, not created yet: what
 * {@link createTableViews} creates. {@link registerTableView} is prepare-then-create
 * for one view; a session prepares all of its views and creates them in one statement.
 */
export interface PreparedTableView {
  /** The view's name. */
  name: string;
  /** The view's SELECT as if its files held every column of the schema (the usual case). */
  sql: string;
  /**
   * The SQL type of each column of `sql` by name, when each is a `CAST` to its schema
   * type (no nested and no partition column, whose types come from elsewhere): what a
   * caller may pass as `columnTypes` to `duckDbRowSetHash` instead of binding the files.
   */
  columnTypes?: Readonly<Record<string, string>> | undefined;
  /**
   * Creates the view alone: first with `sql`, and when that fails, over the columns
   * the files actually have (added after they were written). Returns the SQL used.
   */
  createAlone(engine: SqlEngine, signal: AbortSignal | undefined): Promise<string>;
  /** Deletes downloaded copies of the files. */
  dispose(): Promise<void>;
}

/**
 * Finds or downloads the local files of a table view and writes its SQL, without
 * touching an engine. See {@link registerTableView} for what the view reads.
 *
 * @example
 * ```ts
 * const prepared = await prepareTableView("orders", snapshot, { store, location: "silver/orders" });
 * const [view] = await createTableViews(engine, [prepared], undefined);
 * ```
 */
export async function prepareTableView(
  name: string,
  snapshot: TableSnapshot,
  options: RegisterTableViewOptions,
): Promise<PreparedTableView> {
  const fields = snapshot.schema.fields;
  const partitions = new Set(snapshot.partitionColumns);
  const location = options.location.replace(/\/+$/, "");
  const localPathOf = options.localPathOf ?? fileUriPath(options.store);
  const files = await localDataFiles(
    options.store,
    snapshot.files.map((file) => (location === "" ? file.path : `${location}/${file.path}`)),
    {
      // A log may name a file by an absolute URI (Delta allows it): read file:// ones
      // where they are; any other scheme is outside the store and cannot be read.
      localPathOf: (key) => {
        const path = location === "" ? key : key.slice(location.length + 1);
        if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return localPathOf(key);
        if (path.startsWith("file:")) return fileURLToPath(path);
        throw new DuckDbError(
          "DUCKDB_INVALID_ARGUMENT",
          `the snapshot names a data file outside its store (${path}); only file:// URIs are read`,
        );
      },
      tempDirectory: options.tempDirectory,
      signal: options.signal,
    },
  );
  if (files.paths.length === 0) {
    const sql = `SELECT ${fields.map((f) => `CAST(NULL AS ${logicalTypeSql(f.type)}) AS ${quoteIdentifier(f.name)}`).join(", ")} WHERE false`;
    return {
      name,
      sql,
      columnTypes: castTypes(fields, partitions),
      createAlone: async (engine, signal) => {
        await createViewSql(engine, name, sql, signal);
        return sql;
      },
      dispose: files.dispose,
    };
  }
  const source = sourceSql(fields, partitions, files.paths);
  // First as if the files had every column of the schema, the usual case: binding
  // the view reads the Parquet footers once, where asking for the files' columns
  // first read them twice. DuckDB matches column names case-insensitively, as the
  // schema lookup below does. A column no file has (added after they were written)
  // fails that bind; then, as for any failure, the files' columns decide, and a
  // genuine error (a missing file) is met again and reported as before.
  const sql = scanSql(fields, partitions, snapshot, files.paths, source, undefined);
  return {
    name,
    sql,
    columnTypes: castTypes(fields, partitions),
    createAlone: async (engine, signal) => {
      try {
        await createViewSql(engine, name, sql, signal);
        return sql;
      } catch (error) {
        if (signal?.aborted) throw error;
        const { columns } = await engine.query(`SELECT * FROM ${source} LIMIT 0`, { signal });
        // Parquet column names match the schema case-insensitively (Spark writes either).
        const physical = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
        const rebuilt = scanSql(fields, partitions, snapshot, files.paths, source, physical);
        await createViewSql(engine, name, rebuilt, signal);
        return rebuilt;
      }
    },
    dispose: files.dispose,
  };
}

/**
 * Creates prepared views, all in one multi-statement call when they bind as prepared
 * (one round trip to DuckDB instead of one or two per view); when that fails, one by
 * one in order with {@link PreparedTableView.createAlone}, so that the error reported
 * is the first view's that has one, as when each was registered alone. On failure
 * every view's downloaded copies are deleted.
 *
 * @example
 * ```ts
 * const views = await createTableViews(engine, prepared, signal);
 * ```
 */
export async function createTableViews(
  engine: SqlEngine,
  prepared: readonly PreparedTableView[],
  signal: AbortSignal | undefined,
): Promise<TableView[]> {
  const sqls = prepared.map((view) => view.sql);
  try {
    if (prepared.length === 1) {
      sqls[0] = await (prepared[0] as PreparedTableView).createAlone(engine, signal);
    } else if (prepared.length > 1) {
      try {
        await engine.execute(
          prepared.map((view) => `${createViewStatement(view.name, view.sql)};`).join("\n"),
          { signal },
        );
      } catch (error) {
        if (signal?.aborted) throw error;
        // CREATE OR REPLACE: views the batch made before its failure are made again.
        for (const [index, view] of prepared.entries()) {
          sqls[index] = await view.createAlone(engine, signal);
        }
      }
    }
  } catch (error) {
    await Promise.all(prepared.map((view) => view.dispose().catch(() => undefined)));
    throw error;
  }
  return prepared.map((view, index) => ({
    name: view.name,
    sql: sqls[index] as string,
    async dispose() {
      await engine.execute(`DROP VIEW IF EXISTS ${quoteIdentifier(view.name)}`);
      await view.dispose();
    },
  }));
}

function createViewStatement(name: string, sql: string): string {
  return `CREATE OR REPLACE VIEW ${quoteIdentifier(name)} AS ${sql}`;
}

async function createViewSql(
  engine: SqlEngine,
  name: string,
  sql: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await engine.execute(createViewStatement(name, sql), { signal });
}

// Each column's cast type, when scanSql casts every column (see PreparedTableView.columnTypes).
function castTypes(
  fields: TableField[],
  partitions: Set<string>,
): Record<string, string> | undefined {
  if (fields.some((field) => partitions.has(field.name) || NESTED_FIELD.test(field.type))) {
    return undefined;
  }
  return Object.fromEntries(fields.map((field) => [field.name, logicalTypeSql(field.type)]));
}

// Nested values keep the file's shape: scanSql does not cast them.
const NESTED_FIELD = /^(array|map|struct)\s*</i;

// The `read_parquet` call over the view's files.
function sourceSql(fields: TableField[], partitions: Set<string>, paths: string[]): string {
  const partitioned = fields.some((field) => partitions.has(field.name));
  // Only what the view needs: the file name joins partition values, and union_by_name
  // (which reads every file's schema when the view is bound, and each query binds it
  // again) reconciles files written before and after a schema change.
  const options = [
    ...(partitioned ? [`filename = ${quoteLiteral(FILE_COLUMN)}`] : []),
    ...(paths.length > 1 ? ["union_by_name = true"] : []),
    "hive_partitioning = false",
  ];
  return `read_parquet([${paths.map(quoteLiteral).join(", ")}], ${options.join(", ")})`;
}

// The view's SELECT. `physical` maps lower-cased names to the files' column names;
// undefined assumes the files hold every non-partition column under its schema name.
function scanSql(
  fields: TableField[],
  partitions: Set<string>,
  snapshot: TableSnapshot,
  paths: string[],
  source: string,
  physical: Map<string, string> | undefined,
): string {
  const partitionFields = fields.filter((field) => partitions.has(field.name));
  const select = fields.map((field) => {
    const alias = quoteIdentifier(field.name);
    if (partitions.has(field.name)) return `p.${alias}`;
    const column = physical === undefined ? field.name : physical.get(field.name.toLowerCase());
    const type = logicalTypeSql(field.type);
    if (column === undefined) return `CAST(NULL AS ${type}) AS ${alias}`;
    // Nested values keep the file's shape: a cast fails on structs whose fields evolved.
    if (NESTED_FIELD.test(field.type)) return `d.${quoteIdentifier(column)} AS ${alias}`;
    return `CAST(d.${quoteIdentifier(column)} AS ${type}) AS ${alias}`;
  });
  let from = `${source} AS d`;
  if (partitionFields.length > 0) {
    const rows = snapshot.files.map((file, index) => {
      const values = partitionFields.map((field) =>
        partitionConstant(file.partitionValues?.[field.name], field),
      );
      return `(${[quoteLiteral(paths[index] as string), ...values].join(", ")})`;
    });
    const names = [FILE_COLUMN, ...partitionFields.map((f) => f.name)].map(quoteIdentifier);
    from += ` JOIN (VALUES ${rows.join(", ")}) AS p(${names.join(", ")}) ON d.${quoteIdentifier(FILE_COLUMN)} = p.${quoteIdentifier(FILE_COLUMN)}`;
  }
  return `SELECT ${select.join(", ")} FROM ${from}`;
}

// Partition values are strings in the log; an empty string means null (Delta spec).
function partitionConstant(value: string | null | undefined, field: TableField): string {
  const type = logicalTypeSql(field.type);
  if (value === null || value === undefined || value === "") return `CAST(NULL AS ${type})`;
  if (type === "BLOB") return `encode(${quoteLiteral(value)})`;
  if (/[<(]/.test(field.type) && !/^decimal/i.test(field.type)) {
    throw new DuckDbError(
      "DUCKDB_INVALID_ARGUMENT",
      `partition column ${field.name} has the nested type ${field.type}`,
    );
  }
  return `CAST(${quoteLiteral(value)} AS ${type})`;
}
