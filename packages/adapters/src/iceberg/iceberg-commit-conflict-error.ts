import { IcebergError } from "./iceberg-error.js";

/**
 * Another writer changed the table between the read and the commit, and the change
 * cannot be re-applied on top of theirs: an overwrite or restore (they are conditional
 * on the snapshot they read), an append after a schema or partition spec change, or an
 * append that lost more than `maxCommitAttempts` races. Nothing was committed and the
 * files written for it were deleted; retry from a fresh read.
 *
 * @example
 * ```ts
 * try {
 *   await table.overwrite({ rows }, { provenance });
 * } catch (error) {
 *   if (error instanceof IcebergCommitConflictError) console.log(error.attempts);
 * }
 * ```
 */
export class IcebergCommitConflictError extends IcebergError<"ICEBERG_COMMIT_CONFLICT"> {
  /** Catalog commits tried before giving up. */
  readonly attempts: number;

  constructor(message: string, options: { attempts: number; cause?: unknown }) {
    super("ICEBERG_COMMIT_CONFLICT", message, { cause: options.cause });
    this.name = "IcebergCommitConflictError";
    this.attempts = options.attempts;
  }
}
