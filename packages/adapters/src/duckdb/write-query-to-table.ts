import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type {
  CommitProvenance,
  DataFile,
  ObjectStore,
  SqlEngine,
  SqlValue,
  TableFormat,
  TableRef,
  TableSchema,
} from "@controlroom/executor-kit";
import { putLocalFile } from "../internal/put-local-file.js";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { type CopiedGroup, copyQueryToFiles } from "./copy-query-to-files.js";
import { DuckDbError } from "./duckdb-error.js";
import { duckDbLogicalType } from "./duckdb-logical-type.js";
import type { DuckDbRowSetDigest } from "./duckdb-row-set-hash.js";
import { hashWrittenFiles } from "./hash-written-files.js";
import { logicalTypeSql } from "./logical-type-sql.js";

/** Options of {@link writeQueryToTable}. */
export interface WriteQueryToTableOptions {
  /** The store the table lives in (the one `tableFormat` commits to). */
  store: ObjectStore;
  /** `append` adds the rows; `overwrite` replaces all rows in one commit. */
  mode: "append" | "overwrite";
  /** Recorded in the commit, so that lineage goes table version → run → git commit. */
  provenance: CommitProvenance;
  /**
   * Partition columns when the write creates the table; an existing table keeps its
   * own (giving different ones is an error).
   * @default []
   */
  partitionColumns?: string[] | undefined;
  /**
   * The table's schema when the write creates it: the query's columns are matched to
   * it by name and cast to its types, in its order, and its nullability is recorded.
   * An existing table keeps its own schema.
   * @default undefined (the query's columns and DuckDB types, all nullable)
   */
  schema?: TableSchema | undefined;
  /** Values for the query's placeholders. @default undefined */
  params?: readonly SqlValue[] | Readonly<Record<string, SqlValue>> | undefined;
  /**
   * Start a new Parquet file after about this many bytes, in DuckDB's syntax. Files
   * are uploaded from disk (streamed when the store has `putFile`), so their size does
   * not add to memory.
   * @default "128MB"
   */
  targetFileSize?: string | undefined;
  /**
   * Rows per Parquet row group. DuckDB's writer holds a row group per thread in memory
   * while it encodes it, so this bounds the write's memory: with its own default
   * (122,880 rows) writing 5 million 11-column rows peaked about 250 MB higher than
   * with 32,768, which still reads fast and compresses about as well.
   * @default 32768
   */
  rowGroupSize?: number | undefined;
  /**
   * Where the Parquet files are written before they are uploaded.
   * @default os.tmpdir()
   */
  tempDirectory?: string | undefined;
  /**
   * Also fingerprint the version the write commits when it holds only the files written
   * (an `overwrite`, or a write that creates the table): the result's `contentHash` is
   * the row-set hash (format v2) `duckDbRowSetHash` gives over that version, with these
   * columns left out, computed from the local files while they are uploaded and
   * committed, so they are never read back from the store. Undefined for an append, or
   * when the hash failed (the write still stands; hashing the version meets the error again).
   * @default undefined (no hash)
   */
  contentHash?: { exclude?: readonly string[] | undefined } | undefined;
  /** Cancels the query, the uploads and the commit. @default undefined */
  signal?: AbortSignal | undefined;
}

/** What {@link writeQueryToTable} committed. */
export interface WriteQueryResult {
  /** The table version the commit created. */
  version: number;
  /** The data files added (paths relative to the table). */
  files: DataFile[];
  /** Rows written. */
  rowCount: number;
  /** The version's row-set hash, when `contentHash` asked for it and it could be computed. */
  contentHash?: DuckDbRowSetDigest | undefined;
}

/**
 * Runs `sql` on DuckDB, writes its result as Parquet files (`COPY … TO`) under the
 * table's location and commits them through the {@link TableFormat} port: `create`
 * when no table is there (schema from `options.schema`, else the query's columns),
 * else `append`, or `overwrite` (removing every live file, conditional on the version
 * it read).
 *
 * Into an existing table, columns are matched by name and cast to the table's types,
 * so the files carry exactly the table's schema; a column the table lacks is an
 * error. Partitioned tables get one set of files per partition value, without the
 * partition columns (their values go in the log). Files that were uploaded but not
 * committed (a failed commit) are deleted.
 *
 * @example
 * ```ts
 * const tables = createDeltaTableFormat({ store });
 * const { version } = await writeQueryToTable(
 *   engine,
 *   "SELECT order_id, sum(amount) AS total, day FROM orders GROUP BY ALL",
 *   tables,
 *   { location: "gold/daily_totals" },
 *   { store, mode: "overwrite", partitionColumns: ["day"], provenance: { run_id: "run_1", phase: "gold", git_sha: "abc123" } },
 * );
 * ```
 */
export async function writeQueryToTable(
  engine: SqlEngine,
  sql: string,
  tableFormat: TableFormat,
  table: TableRef,
  options: WriteQueryToTableOptions,
): Promise<WriteQueryResult> {
  const { signal, store } = options;
  const location = table.location.replace(/\/+$/, "");
  const query = { params: options.params, signal };
  const snapshot = await tableFormat.snapshot(table, { signal });
  const partitionColumns = snapshot?.partitionColumns ?? options.partitionColumns ?? [];
  if (
    snapshot !== undefined &&
    options.partitionColumns !== undefined &&
    options.partitionColumns.join("\0") !== snapshot.partitionColumns.join("\0")
  ) {
    throw new DuckDbError(
      "DUCKDB_INVALID_ARGUMENT",
      `the table is partitioned by [${snapshot.partitionColumns.join(", ")}], not [${options.partitionColumns.join(", ")}]`,
    );
  }
  const directory = await mkdtemp(join(options.tempDirectory ?? tmpdir(), "controlroom-write-"));
  const uploaded: string[] = [];
  let hashing: Promise<DuckDbRowSetDigest | undefined> | undefined;
  try {
    // Each attempt in a directory of its own (DuckDB makes one level of directory).
    const copy = async (schema: TableSchema, select: string, attempt: string) => {
      const copyOptions = {
        schema,
        partitionColumns,
        directory: join(directory, attempt),
        targetFileSize: options.targetFileSize ?? "128MB",
        rowGroupSize: rowGroupSize(options.rowGroupSize),
        params: options.params,
        signal,
      };
      await mkdir(copyOptions.directory);
      return copyQueryToFiles(engine, select, copyOptions);
    };
    const known = snapshot?.schema ?? options.schema;
    let schema: TableSchema;
    let groups: CopiedGroup[];
    if (known === undefined) {
      const described = await describe(engine, sql, query);
      schema = schemaOf(described);
      const projection = projectionSql(schema, described, `(${sql})`);
      checkPartitionColumns(schema, partitionColumns);
      groups = await copy(schema, projection, "described");
    } else {
      schema = known;
      checkPartitionColumns(schema, partitionColumns);
      groups = await copyAssumingTableColumns(schema, partitionColumns.length > 0, {
        copy: (select, attempt) => copy(known, select, attempt),
        describe: () => describe(engine, sql, query),
        source: `(${sql})`,
        discard: (attempt) => rm(join(directory, attempt), { recursive: true, force: true }),
      });
    }

    // DuckDB writes a file even for no rows; a table needs no empty files.
    const kept = groups.flatMap((group) =>
      group.written
        .filter((file) => file.records > 0)
        .map((file) => ({
          ...file,
          partitionValues: partitionColumns.length === 0 ? undefined : group.values,
        })),
    );
    // The committed version will hold exactly these files when the commit replaces the
    // table's content: hash them here, side by side with their upload and commit.
    if (
      options.contentHash !== undefined &&
      (snapshot === undefined || options.mode === "overwrite")
    ) {
      hashing = hashWrittenFiles(
        engine,
        store,
        schema,
        partitionColumns,
        directory,
        kept.map((file) => ({
          path: relative(directory, file.path),
          partitionValues: file.partitionValues,
        })),
        { exclude: options.contentHash.exclude, signal },
      ).catch(() => undefined);
    }
    const files: DataFile[] = [];
    let rowCount = 0;
    for (const { path, records, sizeBytes, partitionValues } of kept) {
      const name = `part-${randomUUID()}.snappy.parquet`;
      const key = location === "" ? name : `${location}/${name}`;
      // Listed before the upload, so that an upload failing half-way is cleaned up too.
      uploaded.push(key);
      await putLocalFile(store, key, path, { ifAbsent: false, signal });
      files.push({
        path: name,
        sizeBytes,
        recordCount: records,
        ...(partitionValues === undefined ? {} : { partitionValues }),
      });
      rowCount += records;
    }

    const { version } = await tableFormat.commit(
      table,
      snapshot === undefined
        ? {
            operation: "create",
            add: files,
            schema,
            partitionColumns,
            provenance: options.provenance,
          }
        : options.mode === "overwrite"
          ? {
              operation: "overwrite",
              add: files,
              remove: snapshot.files.map((file) => file.path),
              expectedVersion: snapshot.version,
              provenance: options.provenance,
            }
          : { operation: "append", add: files, provenance: options.provenance },
      { signal },
    );
    uploaded.length = 0;
    return { version, files, rowCount, contentHash: await hashing };
  } finally {
    // The hash reads the local files: it ends before they are deleted.
    await hashing;
    // Uncommitted files are garbage: nothing refers to them.
    await Promise.all(uploaded.map((key) => store.delete(key).catch(() => undefined)));
    // Deleted in the background: nothing refers to the local copies any more, and the
    // caller need not wait for the file system (the session's scratch directory that
    // holds them is deleted again when the session ends).
    rm(directory, { recursive: true, force: true }).catch(() => undefined);
  }
}

const DEFAULT_ROW_GROUP_SIZE = 32_768;

function rowGroupSize(rows: number | undefined): number {
  const value = rows ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DuckDbError(
      "DUCKDB_INVALID_ARGUMENT",
      `rowGroupSize must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/**
 * Copies the query's rows into files of the table's schema on the assumption that its
 * columns are the table's by name (the usual case), without describing the query
 * first: DuckDB binds it once instead of twice. An unpartitioned copy passes on every
 * column the table lacks (`q.* EXCLUDE (…)`), so the files it writes tell whether
 * there was one; a partitioned copy cannot (its stage table is copied by column), so
 * there the query is described alongside it. When the assumption fails (a column
 * missing or one too many, a bad query, a bad option) the query is described, and its
 * errors come first, as when it was described before copying; the copy runs again on
 * what the query has, or its own error is the answer.
 */
async function copyAssumingTableColumns(
  schema: TableSchema,
  partitioned: boolean,
  steps: {
    copy: (select: string, attempt: string) => Promise<CopiedGroup[]>;
    describe: () => Promise<{ name: string; type: string }[]>;
    /** The query, parenthesised. */
    source: string;
    discard: (attempt: string) => Promise<void>;
  },
): Promise<CopiedGroup[]> {
  const asTable = schema.fields.map((field) => ({ name: field.name, type: "" }));
  const assumed = projectionSql(schema, asTable, steps.source);
  const describing = partitioned ? steps.describe() : undefined;
  // Only keeps a DESCRIBE that fails while the copy runs from being an unhandled rejection.
  describing?.catch(() => undefined);
  const [description, copied] = await Promise.allSettled([
    describing,
    steps.copy(
      partitioned ? assumed : projectionSql(schema, asTable, steps.source, true),
      "assumed",
    ),
  ]);
  if (description.status === "rejected") throw description.reason;
  // Unpartitioned, the files hold every column the query had: none the table lacks, and
  // the assumption held.
  if (!partitioned && copied.status === "fulfilled" && onlyColumnsOf(schema, copied.value)) {
    return copied.value;
  }
  const projection = projectionSql(
    schema,
    description.value ?? (await steps.describe()),
    steps.source,
  );
  if (projection === assumed) {
    if (copied.status === "rejected") throw copied.reason;
    return copied.value;
  }
  await steps.discard("assumed");
  return steps.copy(projection, "described");
}

// Whether the writer reported the columns of every file, and they are all the table's.
function onlyColumnsOf(schema: TableSchema, groups: CopiedGroup[]): boolean {
  const known = new Set(schema.fields.map((field) => field.name));
  const files = groups.flatMap((group) => group.written);
  return (
    files.length > 0 &&
    files.every((file) => file.columns?.every((column) => known.has(column)) === true)
  );
}

async function describe(
  engine: SqlEngine,
  sql: string,
  query: { params: WriteQueryToTableOptions["params"]; signal: AbortSignal | undefined },
): Promise<{ name: string; type: string }[]> {
  const { rows } = await engine.query<{ column_name: string; column_type: string }>(
    `DESCRIBE ${sql}`,
    query,
  );
  return rows.map((row) => ({ name: row.column_name, type: row.column_type }));
}

function schemaOf(columns: { name: string; type: string }[]): TableSchema {
  return {
    fields: columns.map((column) => ({
      name: column.name,
      type: duckDbLogicalType(column.type),
      // Nothing in a query's result promises NOT NULL.
      nullable: true,
    })),
  };
}

// A SELECT over `source` that casts each query column to the table's type, in the
// table's column order; a table column the query lacks is NULL. With `others`, the
// query's columns the table lacks follow, as they are (for a check of what was written).
function projectionSql(
  schema: TableSchema,
  columns: { name: string; type: string }[],
  source: string,
  others = false,
): string {
  const byName = new Map(columns.map((column) => [column.name.toLowerCase(), column.name]));
  const known = new Set(schema.fields.map((field) => field.name.toLowerCase()));
  const extra = columns.filter((column) => !known.has(column.name.toLowerCase()));
  if (extra.length > 0) {
    throw new DuckDbError(
      "DUCKDB_INVALID_ARGUMENT",
      `the query has columns the table lacks: ${extra.map((c) => c.name).join(", ")}`,
    );
  }
  const select = schema.fields.map((field) => {
    const alias = quoteIdentifier(field.name);
    const type = logicalTypeSql(field.type);
    const column = byName.get(field.name.toLowerCase());
    if (column === undefined) return `CAST(NULL AS ${type}) AS ${alias}`;
    return `CAST(q.${quoteIdentifier(column)} AS ${type}) AS ${alias}`;
  });
  if (others) {
    select.push(
      `q.* EXCLUDE (${schema.fields.map((field) => quoteIdentifier(field.name)).join(", ")})`,
    );
  }
  return `SELECT ${select.join(", ")} FROM ${source} AS q`;
}

function checkPartitionColumns(schema: TableSchema, partitionColumns: readonly string[]): void {
  for (const column of partitionColumns) {
    if (!schema.fields.some((field) => field.name === column)) {
      throw new DuckDbError(
        "DUCKDB_INVALID_ARGUMENT",
        `partition column ${column} is not in the result`,
      );
    }
  }
}
