import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * How long fewer queries must have run before DuckDB's own threads take back the
 * cores that ended queries' callers left. Longer than a lane's pause between two of
 * its statements (a commit, an upload: 5–20 ms in the demo's gold phase), short against
 * a query that runs alone for seconds (the demo's silver phase ends with one large
 * table).
 */
export const EXTERNAL_THREADS_SETTLE_MS = 100;

/**
 * Lowers DuckDB's `external_threads` setting to the number of the engine's queries
 * still running (at least 1) once that number has stayed lower for
 * {@link EXTERNAL_THREADS_SETTLE_MS}, so that DuckDB starts threads of its own for the
 * cores the ended queries' callers left.
 *
 * Why: the thread that runs a query (a libuv worker of `@duckdb/node-api`) executes that
 * query's tasks itself, beside DuckDB's `threads − external_threads` threads, and
 * DuckDB assumes one such caller. A caller that runs queries N at a time sets
 * `external_threads` to N up front (`concurrentQueries`), so that they do not run on
 * more threads than `threads`: on the demo's gold phase (two tables written at once,
 * 2 cores) three threads cost 35–50 ms of about 370. Fixed at N, though, a query left
 * running alone (the demo's silver phase ends with its one large table) keeps one core:
 * 4.4 s against 3.4 s. A thread DuckDB starts takes up tasks of the queries already
 * running (their callers put them back in its queue between chunks).
 *
 * Never raised again: DuckDB takes a thread of its own away by waiting, in the next
 * statement that ends, until that thread has finished the task it runs, which may be a
 * long part of a query, or a streaming query's part that waits for a fetch.
 *
 * A hint only: when a change cannot be applied (the database closed) the balancer
 * stops, and the queries run as DuckDB schedules them.
 */
export class ExternalThreadsBalancer {
  readonly #openConnection: () => Promise<{ connection: DuckDBConnection; release(): void }>;
  #connection: Promise<DuckDBConnection> | undefined;
  #running = 0;
  // The setting, once read; lowered only.
  #applied: number | undefined;
  #settle: ReturnType<typeof setTimeout> | undefined;
  #lowering: Promise<void> = Promise.resolve();
  #stopped = false;

  /**
   * @param openConnection Opens the connection the setting is changed on, kept open
   *   (the engine closes it with the database).
   */
  constructor(openConnection: () => Promise<{ connection: DuckDBConnection; release(): void }>) {
    this.#openConnection = openConnection;
  }

  /** A query starts on a thread of the caller's. */
  started(): void {
    this.#running += 1;
    this.#cancelSettle();
  }

  /** A query ended: once fewer have run for the settle time, DuckDB takes the core back. */
  finished(): void {
    this.#running -= 1;
    this.#cancelSettle();
    if (this.#stopped || this.#running >= (this.#applied ?? Number.POSITIVE_INFINITY)) return;
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      void this.#lower();
    }, EXTERNAL_THREADS_SETTLE_MS);
    // A pending change must not keep the process alive.
    this.#settle.unref();
  }

  /** Stops changing the setting (the engine is closing). */
  stop(): void {
    this.#stopped = true;
    this.#cancelSettle();
  }

  #cancelSettle(): void {
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    this.#settle = undefined;
  }

  #lower(): Promise<void> {
    this.#lowering = this.#lowering.then(async () => {
      if (this.#stopped) return;
      try {
        this.#connection ??= this.#openConnection().then(({ connection }) => connection);
        const connection = await this.#connection;
        if (this.#applied === undefined) {
          const reader = await connection.runAndReadAll(
            "SELECT CAST(current_setting('external_threads') AS BIGINT) AS n",
          );
          this.#applied = Number(reader.getRowObjectsJS()[0]?.n ?? 1);
        }
        const wanted = Math.max(1, this.#running);
        if (!this.#stopped && wanted < this.#applied) {
          await connection.run(`SET GLOBAL external_threads = ${wanted}`);
          this.#applied = wanted;
        }
        // At DuckDB's default, nothing is left to give back.
        if (this.#applied <= 1) this.stop();
      } catch {
        this.stop();
      }
    });
    return this.#lowering;
  }
}
