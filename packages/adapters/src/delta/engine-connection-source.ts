import type { DuckDBConnection } from "@duckdb/node-api";
import type { DuckDbLease } from "./shared-duckdb-instance.js";

/**
 * Where a Delta table format borrows a DuckDB connection for each call that may read or
 * write a checkpoint. {@link SharedDuckDbInstance} is one; {@link engineConnectionSource}
 * is another.
 */
export interface DuckDbConnectionSource {
  /** Borrows a connection; it should connect on its first statement only. */
  lease(): DuckDbLease;
}

/** The part of a `DuckDbEngine` that {@link engineConnectionSource} uses. */
export interface ConnectionOpener {
  openConnection(): Promise<{ connection: DuckDBConnection; release(): void }>;
}

/**
 * Leases connections of an engine that is already running (a lakehouse session's), so
 * that reading a checkpoint does not start a second DuckDB database (15–30 ms) beside
 * it. Each lease is a connection of its own, opened on its first statement: the Delta
 * reader's `SET TimeZone = 'UTC'` stays on it and never reaches the connections that
 * run the user's SQL. `engine` is called on the first statement, so the source can be
 * made before the engine exists.
 *
 * @example
 * ```ts
 * const source = engineConnectionSource(() => workspace.engine());
 * const lease = source.lease();
 * try { await lease.connection.run("SELECT 1"); } finally { await lease.release(); }
 * ```
 */
export function engineConnectionSource(
  engine: () => Promise<ConnectionOpener>,
): DuckDbConnectionSource {
  return {
    lease() {
      let opened: ReturnType<ConnectionOpener["openConnection"]> | undefined;
      const connect = async () => {
        opened ??= engine().then((e) => e.openConnection());
        return (await opened).connection;
      };
      let released = false;
      return {
        connection: {
          run: async (sql, values) => (await connect()).run(sql, values as never),
          runAndReadAll: async (sql, values) =>
            (await connect()).runAndReadAll(sql, values as never),
        },
        release: async () => {
          if (released) return;
          released = true;
          (await opened?.catch(() => undefined))?.release();
        },
      };
    },
  };
}
