import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";

/**
 * The little the Odoo fixtures need from a database: queries, scripts and a bulk load in
 * COPY text format. {@link pgliteOdooDatabase} and {@link postgresOdooDatabase} wrap the
 * two drivers, so the generator and its tests run the same on both.
 */
export interface OdooDatabase {
  /** Runs one statement with `$1…` parameters and returns its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters. */
  exec(script: string): Promise<void>;
  /** Loads `text` (COPY text format: tab-separated, `\N` for NULL) into `table`'s `columns`. */
  copyIn(table: string, columns: readonly string[], text: string): Promise<void>;
}

/**
 * Wraps a PGlite instance. COPY reads from PGlite's `/dev/blob` device, the one way to
 * bulk-load into it without a statement per row.
 *
 * @example
 * ```ts
 * const db = pgliteOdooDatabase(await PGlite.create());
 * await loadOdooSchema(db);
 * ```
 */
export function pgliteOdooDatabase(pg: PGlite): OdooDatabase {
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      return (await pg.query<Row>(text, params)).rows;
    },
    async exec(script) {
      await pg.exec(script);
    },
    async copyIn(table, columns, text) {
      await pg.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    },
  };
}

/**
 * Wraps a postgres.js client. COPY streams through `FROM STDIN`.
 *
 * @example
 * ```ts
 * const db = postgresOdooDatabase(postgres(url));
 * await seedOdooDatabase(db, { seed: 1, rows: 1_000_000 });
 * ```
 */
export function postgresOdooDatabase(sql: Sql): OdooDatabase {
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      return (await sql.unsafe(text, params as never[])) as unknown as Row[];
    },
    async exec(script) {
      await sql.unsafe(script);
    },
    async copyIn(table, columns, text) {
      const stream = await sql
        .unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`)
        .writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", resolve);
        stream.end(text);
      });
    },
  };
}
