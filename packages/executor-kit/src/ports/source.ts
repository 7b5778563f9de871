import type { JsonObject } from "@controlroom/contract";

/**
 * A position in a stream, JSON so that it can be stored in a run's input manifest and
 * passed back verbatim. Its fields are the source's to choose.
 */
export type SourceCursor = JsonObject;

/**
 * The cursor of an incremental read ordered by `(write_date, id)` (Odoo's tables):
 * the last row read. Ties on `write_date` are broken by `id`, so no row is skipped
 * or read twice when many rows share a timestamp.
 *
 * @example
 * ```ts
 * const after: WriteDateIdCursor = { write_date: "2026-01-31T12:00:00.000Z", id: 4711 };
 * ```
 */
export interface WriteDateIdCursor extends JsonObject {
  write_date: string;
  id: number;
}

/** A stream a source offers (a table, an endpoint). */
export interface SourceStream {
  name: string;
  /** The columns that order an incremental read, e.g. `["write_date", "id"]`. */
  cursorFields: string[];
  /** The columns that identify a row, e.g. `["id"]`. */
  primaryKey: string[];
}

/** Options of {@link Source.read}. */
export interface SourceReadOptions<Cursor extends SourceCursor = SourceCursor> {
  /**
   * Read rows strictly after this position; `undefined` reads from the beginning.
   * @default undefined
   */
  after?: Cursor | undefined;
  /**
   * Read rows up to and including this position. Record it in the input manifest so
   * that a rebuild of the same run reads exactly the same rows.
   * @default undefined (whatever is there when the read starts)
   */
  until?: Cursor | undefined;
  /**
   * Only these columns (the cursor fields are always read).
   * @default undefined (all columns)
   */
  columns?: readonly string[] | undefined;
  /**
   * Rows per batch.
   * @default 10_000
   */
  batchSize?: number | undefined;
  /**
   * Stops the read between (and, where the driver can, during) batches.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** One batch of an incremental read. */
export interface SourceBatch<Row, Cursor extends SourceCursor = SourceCursor> {
  rows: Row[];
  /** The position after this batch's last row: pass it as `after` to resume. */
  cursor: Cursor;
}

/**
 * The port an incremental source implements (an Odoo Postgres database read by
 * `(write_date, id)`, an API with a change feed). Reads are ordered by the cursor,
 * resumable from any batch's cursor, and bounded by `until` for deterministic
 * rebuilds.
 *
 * @example
 * ```ts
 * async function copyOrders(source: Source<{ id: number }, WriteDateIdCursor>, after?: WriteDateIdCursor) {
 *   let last = after;
 *   for await (const batch of source.read("sale_order", { after })) {
 *     // write batch.rows somewhere, then remember where we are
 *     last = batch.cursor;
 *   }
 *   return last;
 * }
 * ```
 */
export interface Source<Row = Record<string, unknown>, Cursor extends SourceCursor = SourceCursor> {
  /** A name for logs and manifests, e.g. `"odoo"`. */
  readonly name: string;
  /** The streams this source offers. */
  streams(options?: { signal?: AbortSignal | undefined }): Promise<SourceStream[]>;
  /** Reads `stream` in cursor order, batch by batch. */
  read(
    stream: string,
    options?: SourceReadOptions<Cursor>,
  ): AsyncIterable<SourceBatch<Row, Cursor>>;
  /** The current high-water mark of `stream` (its last row's cursor), or `undefined` when empty. */
  highWaterMark(
    stream: string,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<Cursor | undefined>;
  /**
   * The OpenLineage dataset a stream is, by the spec's naming conventions (e.g.
   * namespace `postgres://db.internal:5432`, name `odoo.public.account_move`). Lineage
   * that reads this source names the stream with it.
   * @default namespace the source's `name`, name the stream
   */
  datasetName?(stream: string): { namespace: string; name: string };
  /** Releases connections. */
  close?(): Promise<void>;
}
