import { DeltaError } from "./delta-errors.js";

/**
 * Another writer committed a change that conflicts with this one (an overwrite racing
 * an append, a schema change, a commit after `expectedVersion`, two creates). Nothing
 * was committed; re-read the table and try again.
 *
 * @example
 * ```ts
 * try {
 *   await table.overwrite({ sql: "SELECT * FROM staged" }, { provenance });
 * } catch (error) {
 *   if (error instanceof DeltaConcurrentModificationError) await retryFromFreshSnapshot();
 * }
 * ```
 */
export class DeltaConcurrentModificationError extends DeltaError<
  "DELTA_CONCURRENT_MODIFICATION" | "DELTA_TABLE_EXISTS"
> {
  /** The version another writer committed first. */
  readonly conflictingVersion: number;

  constructor(
    message: string,
    conflictingVersion: number,
    code: "DELTA_CONCURRENT_MODIFICATION" | "DELTA_TABLE_EXISTS" = "DELTA_CONCURRENT_MODIFICATION",
  ) {
    super(code, message);
    this.name = "DeltaConcurrentModificationError";
    this.conflictingVersion = conflictingVersion;
  }
}
