import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the DuckDB adapter throws. */
export type DuckDbErrorCode =
  /** DuckDB refused or failed the statement; the message is DuckDB's. */
  | "DUCKDB_QUERY_FAILED"
  /** The engine was closed. */
  | "DUCKDB_CLOSED"
  /** A parameter or option cannot be used (a value with no DuckDB type, a bad name). */
  | "DUCKDB_INVALID_ARGUMENT"
  /** A row-set hash was asked for in a format this DuckDB cannot compute (another version's v2). */
  | "DUCKDB_HASH_FORMAT_UNSUPPORTED";

/**
 * Thrown by the DuckDB adapter. For `DUCKDB_QUERY_FAILED` the message is DuckDB's own
 * (`Binder Error: Referenced column "x" not found…`) and `cause` the original error.
 * Cancelled queries reject with the signal's reason instead.
 *
 * @example
 * ```ts
 * try {
 *   await engine.query("SELECT nope");
 * } catch (error) {
 *   if (error instanceof DuckDbError) console.error(error.code, error.message);
 * }
 * ```
 */
export class DuckDbError extends AdapterError<DuckDbErrorCode> {
  constructor(code: DuckDbErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "DuckDbError";
  }
}

/**
 * Wraps whatever DuckDB threw in a {@link DuckDbError} with DuckDB's message.
 *
 * @example
 * ```ts
 * throw toDuckDbError(error);
 * ```
 */
export function toDuckDbError(error: unknown): DuckDbError {
  if (error instanceof DuckDbError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DuckDbError("DUCKDB_QUERY_FAILED", message, { cause: error });
}
