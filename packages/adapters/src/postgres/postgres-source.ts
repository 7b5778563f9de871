import type {
  Source,
  SourceBatch,
  SourceReadOptions,
  SourceStream,
  TableSchema,
  WriteDateIdCursor,
} from "@controlroom/executor-kit";
import { castType, isTemporal, quoteIdent, selectExpression } from "./column-expressions.js";
import { PostgresSourceError } from "./postgres-source-error.js";
import type { PostgresSourceOptions, PostgresTableOptions } from "./postgres-source-options.js";
import { runQueryOn } from "./run-query.js";
import type { SourceFreshness } from "./source-freshness.js";
import { tableFormatField } from "./table-format-type.js";
import {
  type PostgresColumn,
  snapshotTableSchema,
  type TableSchemaSnapshot,
} from "./table-schema-snapshot.js";
import { validateCursor } from "./validate-cursor.js";

/** A row as the source yields it: column name → JSON value (see `selectExpression`). */
export type PostgresRow = Record<string, unknown>;

/**
 * A {@link Source} over Postgres tables, plus what an ingest needs besides rows: each
 * table's schema snapshot (for drift checks) and its freshness.
 */
export interface PostgresSource extends Source<PostgresRow, WriteDateIdCursor> {
  /** The table's columns now, from `information_schema`. */
  schema(
    stream: string,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<TableSchemaSnapshot>;
  /**
   * The table's columns now as a table-format schema, typed as the values this source
   * yields (`timestamp`, `date`, `short`, `integer`, `long`, `double`, `boolean`, else
   * `string`: numeric as exact text, json/jsonb as JSON text), nullable as in Postgres.
   * Use it as the bronze table's schema (it makes this source a medallion
   * `MedallionSource`).
   */
  tableSchema(stream: string, options?: { signal?: AbortSignal | undefined }): Promise<TableSchema>;
  /** How far the table's newest change (first cursor field) is behind the clock. */
  freshness(
    stream: string,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<SourceFreshness>;
}

interface TableConfig {
  name: string;
  primaryKey: string[];
  cursorFields: string[];
}

type LowerBound =
  | { kind: "none" }
  | { kind: "overlap"; value: string | number }
  | { kind: "after"; values: (string | number)[] };

/**
 * Creates a source that reads Postgres tables incrementally by a cursor of columns —
 * Odoo's `(write_date, id)` by default — with keyset pagination: each batch is one query
 * `WHERE (write_date, id) > (last row) ORDER BY write_date, id LIMIT n`, so memory holds
 * one batch, ties on `write_date` are neither skipped nor repeated, and any batch's cursor
 * resumes the read. A read without `until` pins the high-water mark when it starts, so it
 * ends even while the table keeps changing. Works on postgres.js and PGlite; rows come back
 * normalised to JSON values (timestamps as ISO strings with microseconds, numeric as
 * strings). Rows whose cursor columns are NULL are never read.
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * const source = createPostgresSource({
 *   connection: postgres(process.env.ODOO_URL ?? ""),
 *   tables: ["account_move", "account_move_line"],
 *   overlapMs: 60_000,
 * });
 * let cursor: WriteDateIdCursor | undefined;
 * for await (const batch of source.read("account_move", { after: cursor })) {
 *   await writeBronze(batch.rows);
 *   cursor = batch.cursor;
 * }
 * ```
 */
export function createPostgresSource(options: PostgresSourceOptions): PostgresSource {
  const run = runQueryOn(options.connection);
  const schemaName = options.schema ?? "public";
  const overlapMs = options.overlapMs ?? 0;
  const defaultBatchSize = options.batchSize ?? 10_000;
  const now = options.now ?? (() => new Date());
  if (!Number.isFinite(overlapMs) || overlapMs < 0) {
    throw new PostgresSourceError(
      "POSTGRES_INVALID_OPTIONS",
      `overlapMs must be ≥ 0, got ${overlapMs}`,
    );
  }
  checkBatchSize(defaultBatchSize);
  const tables = new Map<string, TableConfig>();
  for (const entry of options.tables) {
    const table = normaliseTable(entry);
    if (tables.has(table.name)) {
      throw new PostgresSourceError(
        "POSTGRES_INVALID_OPTIONS",
        `table ${table.name} is listed twice`,
      );
    }
    tables.set(table.name, table);
  }
  // The select list renames columns to their normalised values (`to_char(write_date) AS
  // write_date`), and ORDER BY prefers output names: qualified names keep ORDER BY on the
  // columns themselves, which is what lets Postgres walk the (write_date, id) index.
  const from = (table: TableConfig) => `${quoteIdent(schemaName)}.${quoteIdent(table.name)} AS src`;
  const col = (name: string) => `src.${quoteIdent(name)}`;

  const configOf = (stream: string): TableConfig => {
    const table = tables.get(stream);
    if (!table) {
      throw new PostgresSourceError(
        "POSTGRES_UNKNOWN_STREAM",
        `unknown stream ${JSON.stringify(stream)}; this source reads ${[...tables.keys()].join(", ")}`,
      );
    }
    return table;
  };

  // The schema snapshot, checked against the configuration: the table exists and has
  // its cursor and key columns. Taken at the start of every read, so a read never
  // selects a column that has since been dropped.
  const describe = async (table: TableConfig) => {
    const snapshot = await snapshotTableSchema(run, schemaName, table.name, now);
    if (snapshot.columns.length === 0) {
      throw new PostgresSourceError(
        "POSTGRES_TABLE_NOT_FOUND",
        `table ${schemaName}.${table.name} does not exist or is not visible`,
      );
    }
    const byName = new Map(snapshot.columns.map((column) => [column.name, column]));
    const lookup = (name: string, role: string): PostgresColumn => {
      const column = byName.get(name);
      if (!column) {
        throw new PostgresSourceError(
          "POSTGRES_INVALID_OPTIONS",
          `${role} ${name} is not a column of ${schemaName}.${table.name}`,
        );
      }
      return column;
    };
    for (const name of table.primaryKey) lookup(name, "primary key column");
    const cursorColumns = table.cursorFields.map((name) => lookup(name, "cursor field"));
    return { snapshot, byName, lookup, cursorColumns };
  };

  const newestValues = async (
    table: TableConfig,
    cursorColumns: PostgresColumn[],
  ): Promise<(string | number)[] | undefined> => {
    const order = cursorColumns.map((column) => `${col(column.name)} DESC`).join(", ");
    const nonNull = cursorColumns.map((column) => `${col(column.name)} IS NOT NULL`).join(" AND ");
    const [row] = await run<Record<string, string | number>>(
      `SELECT ${cursorColumns.map(selectExpression).join(", ")} FROM ${from(table)} WHERE ${nonNull} ORDER BY ${order} LIMIT 1`,
    );
    return row === undefined
      ? undefined
      : cursorColumns.map((column) => row[column.name] as string | number);
  };

  return {
    name: options.name ?? "postgres",

    async streams(callOptions = {}): Promise<SourceStream[]> {
      callOptions.signal?.throwIfAborted();
      return [...tables.values()].map((table) => ({
        name: table.name,
        cursorFields: [...table.cursorFields],
        primaryKey: [...table.primaryKey],
      }));
    },

    async schema(stream, callOptions = {}) {
      callOptions.signal?.throwIfAborted();
      return (await describe(configOf(stream))).snapshot;
    },

    async tableSchema(stream, callOptions = {}) {
      callOptions.signal?.throwIfAborted();
      const { snapshot } = await describe(configOf(stream));
      return { fields: snapshot.columns.map(tableFormatField) };
    },

    async highWaterMark(stream, callOptions = {}) {
      const table = configOf(stream);
      callOptions.signal?.throwIfAborted();
      const { cursorColumns } = await describe(table);
      const values = await newestValues(table, cursorColumns);
      return values === undefined
        ? undefined
        : (toCursor(cursorColumns, values) as WriteDateIdCursor);
    },

    async freshness(stream, callOptions = {}) {
      const table = configOf(stream);
      callOptions.signal?.throwIfAborted();
      const { cursorColumns } = await describe(table);
      const first = cursorColumns[0] as PostgresColumn;
      if (!isTemporal(first)) {
        throw new PostgresSourceError(
          "POSTGRES_INVALID_OPTIONS",
          `freshness needs a timestamp as the first cursor field of ${table.name}; ${first.name} is ${first.dataType}`,
        );
      }
      const [row] = await run<Record<string, string | null>>(
        `SELECT ${selectExpression(first)} FROM ${from(table)} WHERE ${col(first.name)} IS NOT NULL ORDER BY ${col(first.name)} DESC LIMIT 1`,
      );
      const newest = row?.[first.name] ?? null;
      const measured = now();
      return {
        stream,
        newest,
        lagMs: newest === null ? null : measured.getTime() - Date.parse(newest),
        measuredAt: measured.toISOString(),
      };
    },

    async *read(
      stream: string,
      readOptions: SourceReadOptions<WriteDateIdCursor> = {},
    ): AsyncGenerator<SourceBatch<PostgresRow, WriteDateIdCursor>> {
      const table = configOf(stream);
      const batchSize = readOptions.batchSize ?? defaultBatchSize;
      checkBatchSize(batchSize);
      const signal = readOptions.signal;
      signal?.throwIfAborted();
      const { snapshot, lookup, cursorColumns } = await describe(table);
      const after =
        readOptions.after === undefined
          ? undefined
          : validateCursor("after", readOptions.after, stream, cursorColumns);
      let until =
        readOptions.until === undefined
          ? undefined
          : validateCursor("until", readOptions.until, stream, cursorColumns);
      const first = cursorColumns[0] as PostgresColumn;
      if (overlapMs > 0 && !isTemporal(first)) {
        throw new PostgresSourceError(
          "POSTGRES_INVALID_OPTIONS",
          `overlapMs needs a timestamp or date as the first cursor field of ${table.name}; ${first.name} is ${first.dataType}`,
        );
      }
      const selected =
        readOptions.columns === undefined
          ? snapshot.columns
          : columnsToRead(snapshot.columns, readOptions.columns, table.cursorFields, lookup);
      // Pin the end now: rows written during the read wait for the next one.
      if (until === undefined) {
        until = await newestValues(table, cursorColumns);
        if (until === undefined) return;
      }

      const names = cursorColumns.map((column) => col(column.name)).join(", ");
      const head = `SELECT ${selected.map(selectExpression).join(", ")} FROM ${from(table)} WHERE `;
      const tail = ` ORDER BY ${names} LIMIT `;
      let lower: LowerBound =
        after === undefined
          ? { kind: "none" }
          : overlapMs > 0
            ? { kind: "overlap", value: after[0] as string | number }
            : { kind: "after", values: after };
      for (;;) {
        signal?.throwIfAborted();
        const params: unknown[] = [];
        const bind = (value: unknown, column?: PostgresColumn) => {
          params.push(value);
          return `$${params.length}${column === undefined ? "" : castType(column)}`;
        };
        const conditions = [
          `(${names}) <= (${until.map((value, index) => bind(value, cursorColumns[index])).join(", ")})`,
        ];
        if (lower.kind === "after") {
          const values = lower.values;
          conditions.push(
            `(${names}) > (${values.map((value, index) => bind(value, cursorColumns[index])).join(", ")})`,
          );
        } else if (lower.kind === "overlap") {
          conditions.push(
            `${col(first.name)} >= ${bind(lower.value, first)} - make_interval(secs => ${bind(String(overlapMs / 1000))}::text::float8)`,
          );
        }
        const rows = await run<PostgresRow>(
          `${head}${conditions.join(" AND ")}${tail}${bind(batchSize)}`,
          params,
        );
        const last = rows.at(-1);
        if (last === undefined) return;
        const values = cursorColumns.map((column) => last[column.name] as string | number);
        yield { rows, cursor: toCursor(cursorColumns, values) as WriteDateIdCursor };
        if (rows.length < batchSize) return;
        lower = { kind: "after", values };
      }
    },
  };
}

function normaliseTable(entry: string | PostgresTableOptions): TableConfig {
  const table = typeof entry === "string" ? { name: entry } : entry;
  const config = {
    name: table.name,
    primaryKey: [...(table.primaryKey ?? ["id"])],
    cursorFields: [...(table.cursorFields ?? ["write_date", "id"])],
  };
  if (
    config.name.length === 0 ||
    config.cursorFields.length === 0 ||
    config.primaryKey.length === 0
  ) {
    throw new PostgresSourceError(
      "POSTGRES_INVALID_OPTIONS",
      `table ${JSON.stringify(config.name)} needs a name, cursor fields and a primary key`,
    );
  }
  return config;
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new PostgresSourceError(
      "POSTGRES_INVALID_OPTIONS",
      `batchSize must be a positive integer, got ${batchSize}`,
    );
  }
}

function columnsToRead(
  all: PostgresColumn[],
  wanted: readonly string[],
  cursorFields: readonly string[],
  lookup: (name: string, role: string) => PostgresColumn,
): PostgresColumn[] {
  for (const name of wanted) lookup(name, "column");
  const keep = new Set([...wanted, ...cursorFields]);
  return all.filter((column) => keep.has(column.name));
}

function toCursor(
  columns: PostgresColumn[],
  values: (string | number)[],
): Record<string, string | number> {
  return Object.fromEntries(
    columns.map((column, index) => [column.name, values[index] as string | number]),
  );
}
