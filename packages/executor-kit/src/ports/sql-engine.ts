/** A value bound to a query parameter or read from a row. */
export type SqlValue = string | number | bigint | boolean | null | Date | Uint8Array;

/** A row as an object, column name → value. */
export type SqlRow = Record<string, unknown>;

/** One result column: its name and the engine's type name (`BIGINT`, `varchar`…). */
export interface SqlColumn {
  name: string;
  type: string;
}

/** Options of {@link SqlEngine.query}, {@link SqlEngine.stream} and {@link SqlEngine.execute}. */
export interface SqlQueryOptions {
  /**
   * Values for placeholders, positional (`$1`, `?`) or named (`$name`), in the engine's
   * syntax. Always bind values instead of splicing them into the SQL text.
   * @default undefined
   */
  params?: readonly SqlValue[] | Readonly<Record<string, SqlValue>> | undefined;
  /**
   * Cancels the query on the engine (DuckDB interrupt, Trino `DELETE` of the query),
   * not only the wait for it; the call rejects with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** Options of {@link SqlEngine.stream}. */
export interface SqlStreamOptions extends SqlQueryOptions {
  /**
   * Roughly how many rows each batch holds (engines may send fewer or more).
   * @default 10_000
   */
  batchSize?: number | undefined;
}

/** A whole result. */
export interface SqlResult<Row = SqlRow> {
  columns: SqlColumn[];
  rows: Row[];
}

/** One batch of a streamed result. */
export interface SqlBatch<Row = SqlRow> {
  columns: SqlColumn[];
  rows: Row[];
}

/**
 * The port a SQL engine implements (DuckDB in process, a Trino cluster). Phases use
 * it for set-based work; large results are streamed so that memory stays flat, and
 * every call takes the phase's `ctx.signal` so a cancelled or timed-out phase stops
 * the query on the engine, too.
 *
 * @example
 * ```ts
 * async function countOrders(sql: SqlEngine, since: Date, signal: AbortSignal) {
 *   const { rows } = await sql.query<{ n: bigint }>(
 *     "SELECT count(*) AS n FROM orders WHERE created_at >= $1",
 *     { params: [since], signal },
 *   );
 *   return rows[0]?.n ?? 0n;
 * }
 * ```
 */
export interface SqlEngine {
  /** The dialect the SQL text must be written in, e.g. `"duckdb"` or `"trino"`. */
  readonly dialect: string;
  /** Runs a query and reads the whole result into memory. */
  query<Row = SqlRow>(sql: string, options?: SqlQueryOptions): Promise<SqlResult<Row>>;
  /**
   * Runs a query and yields its result in batches; breaking out of the loop cancels
   * the rest of the query.
   */
  stream<Row = SqlRow>(sql: string, options?: SqlStreamOptions): AsyncIterable<SqlBatch<Row>>;
  /** Runs a statement with no result set (DDL, `COPY … TO`, `INSERT`). */
  execute(sql: string, options?: SqlQueryOptions): Promise<{ rowsAffected?: number | undefined }>;
  /** Releases connections; optional for engines that hold none. */
  close?(): Promise<void>;
}
