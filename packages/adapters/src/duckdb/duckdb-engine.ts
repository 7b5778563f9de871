import type {
  SqlBatch,
  SqlColumn,
  SqlEngine,
  SqlQueryOptions,
  SqlResult,
  SqlRow,
  SqlStreamOptions,
} from "@controlroom/executor-kit";
import {
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBResult,
  StatementType,
} from "@duckdb/node-api";
import { ChunkRowReader } from "./chunk-row-reader.js";
import type { DuckDbEngineOptions } from "./duckdb-engine-options.js";
import { DuckDbError, toDuckDbError } from "./duckdb-error.js";
import { ExternalThreadsBalancer } from "./external-threads-balancer.js";
import { interruptOnAbort } from "./interrupt-on-abort.js";
import { checkConcurrentQueries, openDuckDbInstance } from "./open-duckdb-instance.js";
import { toDuckDbParams } from "./to-duckdb-params.js";

const DEFAULT_BATCH_SIZE = 10_000;

/**
 * The {@link SqlEngine} port on DuckDB in process (`@duckdb/node-api`).
 *
 * - Every call runs on a connection of its own, so calls run concurrently and a
 *   cancelled call interrupts only its own query. Session state (`SET x`, `TEMP`
 *   tables) therefore does not carry over between calls: use `SET GLOBAL` and plain
 *   tables or views, or put the statements in one call (`sql` may hold several;
 *   the last one's result is returned).
 * - The session time zone is UTC, so `TIMESTAMPTZ` casts do not depend on the machine.
 * - Extension auto-install and auto-load are off: only the built-in parquet, json,
 *   icu and core functions exist, and anything else fails at once with DuckDB's error
 *   instead of downloading code.
 * - Values: BIGINT/HUGEINT → bigint, DECIMAL → number when exact else string,
 *   TIMESTAMP/TIMESTAMPTZ/DATE → Date, BLOB → Uint8Array, LIST → array, STRUCT →
 *   object. Parameters: `Date` binds as TIMESTAMPTZ, `Uint8Array` as BLOB.
 * - `signal` interrupts the query inside DuckDB; the call rejects with the signal's
 *   reason.
 * - With `concurrentQueries` above 1, the calls that run at once share the cores with
 *   DuckDB's own threads (see {@link ExternalThreadsBalancer}).
 *
 * Create it with {@link createDuckDbEngine}; {@link DuckDbEngine.close} releases the
 * database.
 */
export class DuckDbEngine implements SqlEngine {
  readonly dialect = "duckdb";
  readonly #options: DuckDbEngineOptions;
  #instance: Promise<DuckDBInstance> | undefined;
  #closed = false;
  readonly #connections = new Set<DuckDBConnection>();
  // Only for `concurrentQueries` above 1, and not when the caller set `external_threads`.
  readonly #balancer: ExternalThreadsBalancer | undefined;

  /**
   * @param options How to open the database.
   * @param opening A database already being opened with `options` (by
   *   `openDuckDbInstance`), so that it starts while this module loads; the engine
   *   owns it from now on. A failed one is reported by the first call, and the next
   *   call opens a database again.
   */
  constructor(options: DuckDbEngineOptions = {}, opening?: Promise<DuckDBInstance>) {
    this.#options = options;
    this.#balancer =
      checkConcurrentQueries(options) > 1 && options.settings?.external_threads === undefined
        ? new ExternalThreadsBalancer(() => this.openConnection())
        : undefined;
    if (opening !== undefined) {
      this.#instance = this.#createInstance(opening);
      // Reported by the first call that needs it, not as an unhandled rejection.
      this.#instance.catch(() => undefined);
    }
  }

  async query<Row = SqlRow>(sql: string, options: SqlQueryOptions = {}): Promise<SqlResult<Row>> {
    return this.#withConnection(options.signal, async (connection) => {
      const result = await this.#run(connection, sql, options);
      const columns = columnsOf(result);
      const reader = new ChunkRowReader(result.deduplicatedColumnNames(), result.columnTypes());
      const rows: Row[] = [];
      for (const chunk of await result.fetchAllChunks()) reader.read(chunk, rows);
      return { columns, rows };
    });
  }

  async *stream<Row = SqlRow>(
    sql: string,
    options: SqlStreamOptions = {},
  ): AsyncIterable<SqlBatch<Row>> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    const signal = options.signal;
    signal?.throwIfAborted();
    const connection = await this.#connect();
    const stopWatching = interruptOnAbort(connection, signal);
    // Fetching a chunk runs the query's tasks on the fetching thread.
    this.#balancer?.started();
    try {
      const params = options.params === undefined ? undefined : toDuckDbParams(options.params);
      // A streaming result computes chunks as they are fetched, so memory holds one
      // batch, not the whole result.
      const result = await connection.stream(sql, params?.values, params?.types);
      const columns = columnsOf(result);
      const reader = new ChunkRowReader(result.deduplicatedColumnNames(), result.columnTypes());
      let rows: Row[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        reader.read(chunk, rows);
        if (rows.length >= batchSize) {
          yield { columns, rows };
          rows = [];
        }
        signal?.throwIfAborted();
      }
      if (rows.length > 0) yield { columns, rows };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toDuckDbError(error);
    } finally {
      // Reached too when the consumer breaks out of its loop: interrupting stops the
      // rest of the query instead of letting it run to the end unread.
      this.#balancer?.finished();
      stopWatching();
      this.#release(connection, true);
    }
  }

  async execute(
    sql: string,
    options: SqlQueryOptions = {},
  ): Promise<{ rowsAffected?: number | undefined }> {
    return this.#withConnection(options.signal, async (connection) => {
      const result = await this.#run(connection, sql, options);
      const changes =
        result.statementType === StatementType.INSERT ||
        result.statementType === StatementType.UPDATE ||
        result.statementType === StatementType.DELETE ||
        result.statementType === StatementType.COPY;
      return changes ? { rowsAffected: result.rowsChanged } : {};
    });
  }

  /**
   * Runs `work` on one connection of its own, for statements that must share a
   * session (`TEMP` tables, `SET`), and closes it afterwards. `signal` interrupts
   * whatever the connection is running.
   *
   * @example
   * ```ts
   * const rows = await engine.withConnection(async (connection) => {
   *   await connection.run("CREATE TEMP TABLE t AS SELECT 1 AS x");
   *   return (await connection.runAndReadAll("SELECT * FROM t")).getRowObjectsJS();
   * });
   * ```
   */
  withConnection<T>(
    work: (connection: DuckDBConnection) => Promise<T>,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    return this.#withConnection(options.signal, work);
  }

  /**
   * A connection of its own, held until `release()`, for work that must not share
   * session state with the engine's calls (a `SET` on it stays on it) and that outlives
   * one callback, such as the log reads of a table format. `close()` interrupts and
   * closes it like any other; `release()` is idempotent.
   *
   * @example
   * ```ts
   * const { connection, release } = await engine.openConnection();
   * try {
   *   await connection.run("SET TimeZone = 'UTC'");
   * } finally {
   *   release();
   * }
   * ```
   */
  async openConnection(): Promise<{ connection: DuckDBConnection; release(): void }> {
    const connection = await this.#connect();
    return { connection, release: () => this.#release(connection, false) };
  }

  /** Interrupts running queries and closes the database; later calls fail with `DUCKDB_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#balancer?.stop();
    for (const connection of this.#connections) this.#release(connection, true);
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance !== undefined) (await instance.catch(() => undefined))?.closeSync();
  }

  async #withConnection<T>(
    signal: AbortSignal | undefined,
    work: (connection: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    const connection = await this.#connect();
    const stopWatching = interruptOnAbort(connection, signal);
    let failed = false;
    try {
      return await work(connection);
    } catch (error) {
      failed = true;
      if (signal?.aborted) throw signal.reason;
      throw toDuckDbError(error);
    } finally {
      stopWatching();
      this.#release(connection, failed);
    }
  }

  async #run(
    connection: DuckDBConnection,
    sql: string,
    options: SqlQueryOptions,
  ): Promise<DuckDBResult> {
    const params = options.params === undefined ? undefined : toDuckDbParams(options.params);
    this.#balancer?.started();
    try {
      return await connection.run(sql, params?.values, params?.types);
    } finally {
      this.#balancer?.finished();
    }
  }

  async #connect(): Promise<DuckDBConnection> {
    if (this.#closed) throw new DuckDbError("DUCKDB_CLOSED", "the DuckDB engine is closed");
    this.#instance ??= this.#createInstance();
    const connection = await (await this.#instance).connect();
    this.#connections.add(connection);
    return connection;
  }

  #release(connection: DuckDBConnection, interrupt: boolean): void {
    if (!this.#connections.delete(connection)) return;
    if (interrupt) connection.interrupt();
    connection.closeSync();
  }

  #createInstance(opening?: Promise<DuckDBInstance>): Promise<DuckDBInstance> {
    return (opening ?? openDuckDbInstance(this.#options)).catch((error: unknown) => {
      // Not kept: the next call opens a database again.
      this.#instance = undefined;
      throw toDuckDbError(error);
    });
  }
}

/**
 * Creates a {@link DuckDbEngine}. The database opens on the first query.
 *
 * @example
 * ```ts
 * import { createDuckDbEngine } from "@controlroom/adapters/duckdb";
 *
 * const engine = createDuckDbEngine({ threads: 2, memoryLimit: "1GB" });
 * const { rows } = await engine.query<{ n: bigint }>("SELECT count(*) AS n FROM range($1)", {
 *   params: [10],
 * });
 * for await (const batch of engine.stream("SELECT * FROM range(1e6)", { batchSize: 50_000 })) {
 *   console.log(batch.rows.length);
 * }
 * await engine.close();
 * ```
 */
export function createDuckDbEngine(options: DuckDbEngineOptions = {}): DuckDbEngine {
  return new DuckDbEngine(options);
}

function columnsOf(result: DuckDBResult): SqlColumn[] {
  const types = result.columnTypes();
  return result
    .deduplicatedColumnNames()
    .map((name, index) => ({ name, type: String(types[index]) }));
}
