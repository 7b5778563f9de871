import { AdapterError } from "./adapter-error.js";

/** Every error code a `Lakehouse` adapter throws itself (SQL errors keep the engine's). */
export type LakehouseErrorCode =
  /** No table at the location (a session view, a hash or a history names it). */
  | "LAKEHOUSE_TABLE_NOT_FOUND"
  /** The table exists but not at the requested version. */
  | "LAKEHOUSE_VERSION_NOT_FOUND"
  /** A schema column has a type rows cannot be staged as (`array<…>`, `timestamp_ntz`…). */
  | "LAKEHOUSE_UNSUPPORTED_TYPE"
  /** A row's value does not fit its column (text in a `long`, null in a non-nullable column). */
  | "LAKEHOUSE_INVALID_VALUE"
  /** The rows' schema does not match the existing table's columns. */
  | "LAKEHOUSE_SCHEMA_MISMATCH"
  /** A derived view's SQL failed. */
  | "LAKEHOUSE_INVALID_VIEW"
  /** The engine the lakehouse needs is not installed. */
  | "LAKEHOUSE_ENGINE_UNAVAILABLE"
  /** The lakehouse was closed. */
  | "LAKEHOUSE_CLOSED";

/** Options of {@link LakehouseError}. */
export interface LakehouseErrorOptions {
  /** The table's location, when the error is about one. @default undefined */
  location?: string | undefined;
  /** The column, when the error is about one. @default undefined */
  column?: string | undefined;
  /** The error that caused this one. @default undefined */
  cause?: unknown;
}

/**
 * Thrown by `Lakehouse` adapters (`createDeltaLakehouse`) for what the port defines: a
 * missing table or version, a column type or value rows cannot be written as, a derived
 * view that does not compile. The message names the table and column; `location` and
 * `column` carry them too.
 *
 * @example
 * ```ts
 * try {
 *   await lake.contentHash({ location: "silver/orders", version: 3 });
 * } catch (error) {
 *   if (error instanceof LakehouseError && error.code === "LAKEHOUSE_TABLE_NOT_FOUND") {
 *     console.error(`nothing at ${error.location}`);
 *   }
 * }
 * ```
 */
export class LakehouseError extends AdapterError<LakehouseErrorCode> {
  /** The table's location, when the error is about one. */
  readonly location: string | undefined;
  /** The column, when the error is about one. */
  readonly column: string | undefined;

  constructor(code: LakehouseErrorCode, message: string, options: LakehouseErrorOptions = {}) {
    super(code, message, { cause: options.cause });
    this.name = "LakehouseError";
    this.location = options.location;
    this.column = options.column;
  }
}
