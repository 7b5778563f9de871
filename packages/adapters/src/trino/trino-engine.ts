import type {
  SqlBatch,
  SqlColumn,
  SqlEngine,
  SqlQueryOptions,
  SqlResult,
  SqlRow,
  SqlStreamOptions,
} from "@controlroom/executor-kit";
import { bindTrinoParams } from "./bind-trino-params.js";
import { normalizeTrinoOptions, type TrinoConnection } from "./trino-connection.js";
import type { TrinoEngineOptions } from "./trino-engine-options.js";
import { TrinoError } from "./trino-error.js";
import { createTrinoHttpClient } from "./trino-http-client.js";
import type { TrinoPage } from "./trino-protocol.js";
import { TrinoStatement } from "./trino-statement.js";
import { type TrinoValueReader, trinoValueReader } from "./trino-value-reader.js";

const DEFAULT_BATCH_SIZE = 10_000;

// The rows of one page, converted to objects, with the result's columns.
interface PageRows<Row> {
  columns: SqlColumn[];
  rows: Row[];
}

/**
 * The {@link SqlEngine} port on a Trino cluster, over Trino's HTTP client protocol
 * (through `trino-client`).
 *
 * - Every call is one query with the engine's user, catalog, schema, session
 *   properties and time zone (UTC by default); `SET SESSION` or `USE` in one call do
 *   not carry over to the next — put such settings in the options.
 * - Parameters are positional `?`, bound with `EXECUTE IMMEDIATE … USING` (Trino 418+).
 * - `stream` fetches Trino's result pages only as the loop asks for them and yields
 *   about `batchSize` rows at a time: memory holds a page and a batch.
 * - `signal` cancels the query on the server (`DELETE` of its next URI, which Trino
 *   records as `USER_CANCELED`); the call rejects with the signal's reason. Breaking out
 *   of a `stream` loop cancels it too.
 * - Values: BIGINT → bigint, DECIMAL → number when exact else string, DATE/TIMESTAMP/
 *   TIMESTAMP WITH TIME ZONE → Date, VARBINARY → Uint8Array, ARRAY → array, ROW →
 *   object, MAP → `{ key, value }[]`; others as Trino's text.
 * - Errors are {@link TrinoError}s carrying Trino's error name and code and the query id.
 *
 * Create it with {@link createTrinoEngine}.
 */
export class TrinoEngine implements SqlEngine {
  readonly dialect = "trino";
  readonly #connection: TrinoConnection;
  readonly #running = new Set<AbortController>();
  #closed = false;

  constructor(options: TrinoEngineOptions) {
    this.#connection = normalizeTrinoOptions(options);
  }

  async query<Row = SqlRow>(sql: string, options: SqlQueryOptions = {}): Promise<SqlResult<Row>> {
    let columns: SqlColumn[] = [];
    const rows: Row[] = [];
    for await (const page of this.#run<Row>(sql, options)) {
      columns = page.columns;
      for (const row of page.rows) rows.push(row);
    }
    return { columns, rows };
  }

  async *stream<Row = SqlRow>(
    sql: string,
    options: SqlStreamOptions = {},
  ): AsyncIterable<SqlBatch<Row>> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    let columns: SqlColumn[] = [];
    let rows: Row[] = [];
    for await (const page of this.#run<Row>(sql, options)) {
      columns = page.columns;
      for (const row of page.rows) {
        rows.push(row);
        if (rows.length >= batchSize) {
          yield { columns, rows };
          rows = [];
          // The loop may have aborted while it held the batch.
          options.signal?.throwIfAborted();
        }
      }
    }
    if (rows.length > 0) yield { columns, rows };
  }

  async execute(
    sql: string,
    options: SqlQueryOptions = {},
  ): Promise<{ rowsAffected?: number | undefined }> {
    const update: { count?: number } = {};
    for await (const _ of this.#run(sql, options, update)) {
      // Statements' rows (INSERT's row count, say) are not needed: the count is in the pages.
    }
    return update.count === undefined ? {} : { rowsAffected: update.count };
  }

  /** Cancels running queries on the server; later calls fail with `TRINO_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const reason = new TrinoError("TRINO_CLOSED", "the Trino engine was closed");
    for (const controller of this.#running) controller.abort(reason);
  }

  async *#run<Row>(
    sql: string,
    options: SqlQueryOptions,
    update: { count?: number } = {},
  ): AsyncGenerator<PageRows<Row>> {
    options.signal?.throwIfAborted();
    if (this.#closed) throw new TrinoError("TRINO_CLOSED", "the Trino engine is closed");
    const text = bindTrinoParams(sql, options.params);
    // close() aborts this controller, the caller's signal aborts it too.
    const controller = new AbortController();
    const signal =
      options.signal === undefined
        ? controller.signal
        : AbortSignal.any([options.signal, controller.signal]);
    this.#running.add(controller);
    try {
      const statement = new TrinoStatement(createTrinoHttpClient(this.#connection.client), text, {
        server: String(this.#connection.client.server),
        signal,
        requestTimeoutMs: this.#connection.requestTimeoutMs,
      });
      let reader: PageReader | undefined;
      for await (const page of statement.pages()) {
        if (page.updateCount !== undefined) update.count = Number(page.updateCount);
        if (reader === undefined && page.columns !== undefined) reader = new PageReader(page);
        if (reader !== undefined) yield { columns: reader.columns, rows: reader.rows<Row>(page) };
      }
    } finally {
      this.#running.delete(controller);
    }
  }
}

// Converts a page's rows (arrays in column order) into objects, with readers built
// once from the first page that names the columns.
class PageReader {
  readonly columns: SqlColumn[];
  readonly #names: string[];
  readonly #readers: TrinoValueReader[];

  constructor(page: TrinoPage) {
    const columns = page.columns ?? [];
    this.#names = uniqueNames(columns.map((column) => column.name));
    this.columns = columns.map((column, index) => ({
      name: this.#names[index] as string,
      type: column.type,
    }));
    this.#readers = columns.map((column) =>
      trinoValueReader(column.typeSignature ?? { rawType: column.type }),
    );
  }

  rows<Row>(page: TrinoPage): Row[] {
    const names = this.#names;
    const readers = this.#readers;
    return (page.data ?? []).map((values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++)
        row[names[i] as string] = (readers[i] as TrinoValueReader)(values[i]);
      return row as Row;
    });
  }
}

// Trino allows `SELECT 1 AS a, 2 AS a`; as object keys the second would overwrite the
// first, so repeats get a suffix: a, a_1.
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 1; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

/**
 * Creates a {@link TrinoEngine}. Nothing connects until the first query.
 *
 * @example
 * ```ts
 * import { createTrinoEngine } from "@controlroom/adapters/trino";
 *
 * const engine = createTrinoEngine({
 *   server: "https://trino.example.com:8443",
 *   auth: { type: "basic", user: "etl", password: process.env.TRINO_PASSWORD ?? "" },
 *   catalog: "delta",
 *   schema: "gold",
 *   session: { query_max_run_time: "30m" },
 * });
 * const { rows } = await engine.query<{ n: bigint }>("SELECT count(*) AS n FROM orders WHERE day >= ?", {
 *   params: [new Date("2024-01-01")],
 *   signal: AbortSignal.timeout(60_000),
 * });
 * await engine.close();
 * ```
 */
export function createTrinoEngine(options: TrinoEngineOptions): TrinoEngine {
  return new TrinoEngine(options);
}
