import type { PhaseContext } from "../context/phase-context.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import type { Source, SourceCursor } from "../ports/source.js";
import type { TableSchema } from "../ports/table-format.js";

/** How far a stream's newest change is behind the clock, as a source measures it. */
export interface StreamFreshness {
  /** The newest change (ISO-8601), or null when the stream is empty. */
  newest: string | null;
  /** The clock minus `newest`, in milliseconds; null when empty. */
  lagMs: number | null;
  /** When it was measured (ISO-8601). */
  measuredAt: string;
}

/**
 * A {@link Source} a medallion pipeline can ingest: it also describes each stream's
 * columns (the bronze table's schema, in table-format type names) and, optionally, how
 * fresh the stream is. `createPostgresSource()` is one.
 */
export interface MedallionSource extends Source<Record<string, unknown>, SourceCursor> {
  /**
   * The stream's columns now, with the table-format types its rows' values map to
   * (`long`, `string`, `timestamp`…). Compared with the bronze table's schema to find drift.
   */
  tableSchema(stream: string, options?: { signal?: AbortSignal | undefined }): Promise<TableSchema>;
  /** How far the stream is behind the clock. */
  freshness?(
    stream: string,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<StreamFreshness>;
}

/** One source stream the pipeline ingests into a bronze table of the same name. */
export interface MedallionStream {
  /** The stream (table) name; the bronze table and its views are named after it. */
  name: string;
  /** Columns that identify a row: `current_<name>` keeps one row per key. */
  primaryKey: readonly string[];
  /**
   * Columns that order a row's versions, e.g. `["write_date", "id"]`: `current_<name>`
   * keeps the row with the greatest values.
   */
  cursorFields: readonly string[];
  /**
   * The schema contract: columns the bronze table must have, with their types. Validate
   * fails when one is missing or has another type.
   * @default {}
   */
  contract?: Readonly<Record<string, string>> | undefined;
}

/**
 * A row check run by validate over the session's views. Its SQL selects the violating
 * rows (no rows: the check passes); a violation of an `error` check fails the run with
 * an event naming a sample of the rows.
 */
export interface MedallionCheck {
  /** snake_case, unique among checks. */
  name: string;
  /** What the check asserts, for people reading the failure. */
  description: string;
  /** Selects the violating rows; may name `bronze_<stream>` and `current_<stream>`. */
  sql: string;
  /** `error` fails the run; `warn` only reports. @default "error" */
  severity?: "error" | "warn" | undefined;
}

/** A table the pipeline computes with SQL (a silver or gold table). */
export interface MedallionModel {
  /** snake_case, unique in its layer; the table's location is `<layer prefix>/<name>`. */
  name: string;
  /** What the table holds, for the published result manifest. */
  description?: string | undefined;
  /**
   * The query. Silver SQL may name `bronze_<stream>` (every ingested row) and
   * `current_<stream>` (the newest row per key); gold SQL names `silver_<name>`.
   * It must be deterministic: the same inputs give the same rows.
   */
  sql: string;
  /** @default [] */
  partitionColumns?: readonly string[] | undefined;
}

/** What to do with a kind of schema drift between the source and its bronze table. */
export type MedallionDriftAction = "ignore" | "warn" | "fail";

/** Configuration of {@link defineMedallionExecutor}. */
export interface MedallionConfig {
  /** The executor's id; also the default capability and table prefix. */
  id: string;
  version: string;
  /** The capability every phase requires. @default id */
  capability?: string | undefined;
  /**
   * Where each layer's tables live in the lakehouse's store.
   * @default { bronze: "bronze/<id>", silver: "silver/<id>", gold: "gold/<id>" }
   */
  locations?: { bronze?: string; silver?: string; gold?: string } | undefined;
  streams: readonly MedallionStream[];
  /** @default [] */
  checks?: readonly MedallionCheck[] | undefined;
  silver: readonly MedallionModel[];
  gold: readonly MedallionModel[];
  /** Rows in each published preview. @default 100 */
  previewRows?: number | undefined;
  /**
   * Drift policy: columns the source added are left out of bronze, and those removed or
   * retyped stop that stream's ingest; each kind is reported as a `SCHEMA_DRIFT` event
   * and, when `fail`, fails validate.
   * @default { added: "warn", removed: "fail", retyped: "fail" }
   */
  drift?:
    | {
        added?: MedallionDriftAction;
        removed?: MedallionDriftAction;
        retyped?: MedallionDriftAction;
      }
    | undefined;
  /** A `SOURCE_FRESHNESS` event is a warning above this lag. @default undefined (never) */
  freshnessWarnAfterMs?: number | undefined;
  /** Rows per source batch. @default 10_000 */
  batchSize?: number | undefined;
  /**
   * Tables of one layer that silver and gold write at once. A layer's models read only
   * the layer below, never each other, so their order does not change what is written;
   * two at once keep a small machine's cores busy while each query plans, writes its
   * files and commits. 1 writes them one after another (the least memory).
   * @default 2
   */
  modelConcurrency?: number | undefined;
  /** Per-phase timeout. @default 3_600_000 */
  timeoutMs?: number | undefined;
  /**
   * Where the phases find their adapters.
   * @default ctx.adapters.lakehouse and ctx.adapters.source
   */
  adapters?:
    | {
        lakehouse?: ((ctx: PhaseContext) => Lakehouse) | undefined;
        source?: ((ctx: PhaseContext) => MedallionSource) | undefined;
      }
    | undefined;
}
