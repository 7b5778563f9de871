import { DeltaError } from "./delta-errors.js";

/**
 * A restore was refused because data files the target version lists are no longer in
 * the store (vacuumed, or deleted by hand). Nothing was committed: restoring without
 * them would give a table that cannot be read.
 *
 * @example
 * ```ts
 * try {
 *   await table.restore({ version: 3, provenance });
 * } catch (error) {
 *   if (error instanceof DeltaRestoreFilesMissingError) console.error(error.files);
 * }
 * ```
 */
export class DeltaRestoreFilesMissingError extends DeltaError<"DELTA_RESTORE_FILES_MISSING"> {
  /** The table's location. */
  readonly location: string;
  /** The version that was to be restored. */
  readonly version: number;
  /** The missing files, relative to the table's location. */
  readonly files: readonly string[];

  constructor(location: string, version: number, files: readonly string[]) {
    const shown = files.slice(0, 5).join(", ");
    super(
      "DELTA_RESTORE_FILES_MISSING",
      `cannot restore "${location}" to version ${version}: ${files.length} data file(s) it needs are gone (vacuumed?): ${shown}${files.length > 5 ? ", …" : ""}`,
    );
    this.name = "DeltaRestoreFilesMissingError";
    this.location = location;
    this.version = version;
    this.files = Object.freeze([...files]);
  }
}
