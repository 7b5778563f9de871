import type { PostgresConnection } from "./postgres-connection.js";

/** One table the source reads. */
export interface PostgresTableOptions {
  /** The table's name (unquoted), in {@link PostgresSourceOptions.schema}. */
  name: string;
  /**
   * The columns that identify a row.
   * @default ["id"]
   */
  primaryKey?: readonly string[] | undefined;
  /**
   * The columns that order an incremental read, most significant first; the last should
   * be unique (ties on `write_date` are broken by `id`). Give the table an index on them.
   * @default ["write_date", "id"]
   */
  cursorFields?: readonly string[] | undefined;
}

/** Options of {@link createPostgresSource}. */
export interface PostgresSourceOptions {
  /** A postgres.js client or a PGlite instance; the source never closes it. */
  connection: PostgresConnection;
  /** The tables to offer as streams: names, or names with their keys. */
  tables: readonly (string | PostgresTableOptions)[];
  /**
   * The schema the tables live in.
   * @default "public"
   */
  schema?: string | undefined;
  /**
   * A name for logs and manifests.
   * @default "postgres"
   */
  name?: string | undefined;
  /**
   * How far before an `after` cursor's timestamp to start reading again, in
   * milliseconds. A transaction stamps rows with its start time (Odoo's write_date is
   * `now()`), so a long one can commit rows older than a cursor already taken; re-reading
   * a window catches them. The re-read rows repeat earlier ones: de-duplicate by primary
   * key downstream. Needs a timestamp or date as the first cursor field; 0 disables it.
   * @default 0
   */
  overlapMs?: number | undefined;
  /**
   * Rows per batch unless a read says otherwise: the memory bound of a read.
   * @default 10_000
   */
  batchSize?: number | undefined;
  /**
   * The clock freshness is measured against.
   * @default () => new Date()
   */
  now?: (() => Date) | undefined;
}
