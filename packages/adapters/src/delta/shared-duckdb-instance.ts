import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { createInMemoryDuckDb, type DuckDbConnectionLike } from "./duckdb-session.js";

/** A connection borrowed from a {@link SharedDuckDbInstance}. */
export interface DuckDbLease {
  /** Connects on its first statement, so a lease that runs none costs nothing. */
  connection: DuckDbConnectionLike;
  /** Closes the connection; the last lease out lets the database close once idle. */
  release(): Promise<void>;
}

/**
 * One in-memory DuckDB shared by many short uses (checkpoint reads and writes of a
 * table format), each on a connection of its own. Creating a database costs 15–25 ms,
 * more than reading a small checkpoint; a connection costs well under one. The
 * database closes `idleMs` after the last lease is released (on a timer that does not
 * keep the process alive), so an idle table format holds nothing.
 *
 * @example
 * ```ts
 * const shared = new SharedDuckDbInstance();
 * const lease = shared.lease();
 * try { await lease.connection.run("SELECT 1"); } finally { await lease.release(); }
 * ```
 */
export class SharedDuckDbInstance {
  readonly #idleMs: number;
  #instance: Promise<DuckDBInstance> | undefined;
  #leases = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;

  constructor(idleMs = 1000) {
    this.#idleMs = idleMs;
  }

  /** Borrows a connection, opened on first use. */
  lease(): DuckDbLease {
    this.#leases++;
    clearTimeout(this.#idle);
    this.#idle = undefined;
    let opened: Promise<DuckDBConnection> | undefined;
    const connect = () => {
      opened ??= this.#database().then((instance) => instance.connect());
      return opened;
    };
    let released = false;
    return {
      connection: {
        run: async (sql, values) => (await connect()).run(sql, values as never),
        runAndReadAll: async (sql, values) => (await connect()).runAndReadAll(sql, values as never),
      },
      release: async () => {
        if (released) return;
        released = true;
        const connection = await opened?.catch(() => undefined);
        connection?.closeSync();
        if (--this.#leases === 0) this.#closeWhenIdle();
      },
    };
  }

  #database(): Promise<DuckDBInstance> {
    if (this.#instance === undefined) {
      const created = createInMemoryDuckDb().then(({ instance }) => instance);
      // A failed start (no @duckdb/node-api) is not kept: the next lease tries again.
      created.catch(() => {
        if (this.#instance === created) this.#instance = undefined;
      });
      this.#instance = created;
    }
    return this.#instance;
  }

  #closeWhenIdle(): void {
    const instance = this.#instance;
    if (instance === undefined) return;
    this.#idle = setTimeout(() => {
      if (this.#leases > 0 || this.#instance !== instance) return;
      this.#instance = undefined;
      void instance.then((open) => open.closeSync()).catch(() => undefined);
    }, this.#idleMs);
    this.#idle.unref?.();
  }
}
