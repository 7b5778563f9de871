/**
 * The small SQL surface the store and the migration runner need. Each driver
 * (PGlite, postgres.js) adapts its client to it, so the state machine is written once.
 */
export interface SqlClient {
  /** Runs one statement with `$1…` parameters and returns its rows as objects. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

/** A database that can run a function inside one transaction. */
export interface SqlDatabase {
  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back when it throws.
   * PGlite serialises these (one backend); Postgres runs them on pooled connections.
   */
  transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
}
