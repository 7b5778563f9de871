import { DeltaError } from "./delta-errors.js";

/**
 * The small part of a `@duckdb/node-api` connection the Delta adapter uses, so that a
 * caller can share one connection (and its memory limit) with the rest of a phase.
 */
export interface DuckDbConnectionLike {
  run(sql: string, values?: unknown[]): Promise<unknown>;
  runAndReadAll(
    sql: string,
    values?: unknown[],
  ): Promise<{
    getRowObjectsJS(): Record<string, unknown>[];
    getRowObjectsJson(): Record<string, unknown>[];
    columnNames(): string[];
    columnTypes(): { toString(): string }[];
  }>;
}

/**
 * A DuckDB connection prepared for Delta work: session time zone UTC (Delta
 * `timestamp` values are instants; casts must not depend on the machine's zone) and no
 * extension auto-loading (only the built-in Parquet and JSON readers are used).
 *
 * @example
 * ```ts
 * const session = await openDuckDbSession();
 * const rows = await session.all("SELECT 42 AS answer");
 * await session.close();
 * ```
 */
export interface DuckDbSession {
  /** Runs a statement and returns its rows as JavaScript values (BIGINT → bigint). */
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement and returns its rows as JSON-safe values (decimals as strings). */
  json(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement and returns the column names and DuckDB types of its result. */
  describe(sql: string, params?: unknown[]): Promise<{ name: string; type: string }[]>;
  /** Runs a statement for its effect. */
  run(sql: string, params?: unknown[]): Promise<void>;
  /** Closes the connection when the session opened it; a no-op for a borrowed one. */
  close(): Promise<void>;
  /**
   * The `@duckdb/node-api` module and the connection the session opened itself, for
   * bulk loads through DuckDB's appender (data chunks must come from the same module as
   * the connection). Undefined for a borrowed connection.
   */
  readonly native?: DuckDbNative | undefined;
}

/** The module and connection behind a {@link DuckDbSession} that opened its own database. */
export interface DuckDbNative {
  api: typeof import("@duckdb/node-api");
  connection: import("@duckdb/node-api").DuckDBConnection;
}

/** Options of {@link openDuckDbSession}. */
export interface DuckDbSessionOptions {
  /**
   * Use this connection instead of opening an in-memory database. Its session time
   * zone is set to UTC.
   * @default undefined (a new in-memory DuckDB)
   */
  connection?: DuckDbConnectionLike | undefined;
}

/**
 * Opens a {@link DuckDbSession}; loads `@duckdb/node-api` (an optional peer
 * dependency) on first use.
 *
 * @example
 * ```ts
 * const session = await openDuckDbSession();
 * ```
 */
export async function openDuckDbSession(
  options: DuckDbSessionOptions = {},
): Promise<DuckDbSession> {
  let connection = options.connection;
  let native: DuckDbNative | undefined;
  let dispose = async () => {};
  if (connection === undefined) {
    const { api, instance } = await createInMemoryDuckDb();
    const owned = await instance.connect();
    connection = owned as unknown as DuckDbConnectionLike;
    native = { api, connection: owned };
    dispose = async () => {
      owned.closeSync();
      instance.closeSync();
    };
  }
  const conn = connection;
  await conn.run("SET TimeZone = 'UTC'");
  return {
    async all(sql, params) {
      return (await conn.runAndReadAll(sql, params)).getRowObjectsJS();
    },
    async json(sql, params) {
      return (await conn.runAndReadAll(sql, params)).getRowObjectsJson();
    },
    async describe(sql, params) {
      const reader = await conn.runAndReadAll(sql, params);
      const types = reader.columnTypes();
      return reader.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
    },
    async run(sql, params) {
      await conn.run(sql, params);
    },
    close: () => dispose(),
    native,
  };
}

/**
 * Loads `@duckdb/node-api` (an optional peer dependency) and creates an in-memory
 * database that loads no extensions (only the built-in Parquet and JSON readers are
 * used, and a missing extension then fails at once instead of downloading).
 *
 * @example
 * ```ts
 * const { instance } = await createInMemoryDuckDb();
 * instance.closeSync();
 * ```
 */
export async function createInMemoryDuckDb(): Promise<{
  api: typeof import("@duckdb/node-api");
  instance: import("@duckdb/node-api").DuckDBInstance;
}> {
  let api: typeof import("@duckdb/node-api");
  try {
    api = await import("@duckdb/node-api");
  } catch (cause) {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      "@controlroom/adapters/delta reads and writes Parquet with DuckDB: install @duckdb/node-api",
      { cause },
    );
  }
  const instance = await api.DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  return { api, instance };
}
