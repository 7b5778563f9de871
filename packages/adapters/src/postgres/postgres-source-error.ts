import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the Postgres source throws. */
export type PostgresSourceErrorCode =
  /** `read` or `highWaterMark` named a stream the source was not configured with. */
  | "POSTGRES_UNKNOWN_STREAM"
  /** A configured table does not exist in the database (or is not visible). */
  | "POSTGRES_TABLE_NOT_FOUND"
  /** A cursor (`after`/`until`) is not an object with exactly the cursor fields, well typed. */
  | "POSTGRES_INVALID_CURSOR"
  /** The options or a table's configuration are invalid (e.g. a cursor field is not a column). */
  | "POSTGRES_INVALID_OPTIONS"
  /** A schema drift that the caller's policy says must fail. */
  | "POSTGRES_SCHEMA_DRIFT";

/**
 * The Postgres source's errors; `code` says which one. Bad input fails before any row is
 * read, so a caller can treat these as non-retryable.
 *
 * @example
 * ```ts
 * try {
 *   for await (const batch of source.read("account_move", { after })) handle(batch);
 * } catch (error) {
 *   if (error instanceof PostgresSourceError && error.code === "POSTGRES_INVALID_CURSOR") resetCursor();
 * }
 * ```
 */
export class PostgresSourceError<
  Code extends PostgresSourceErrorCode = PostgresSourceErrorCode,
> extends AdapterError<Code> {
  constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "PostgresSourceError";
  }
}
