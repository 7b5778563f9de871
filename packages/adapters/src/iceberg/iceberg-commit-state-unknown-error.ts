import { IcebergError } from "./iceberg-error.js";

/**
 * The catalog UPDATE (or INSERT) was sent but no answer came back (the connection
 * dropped, the server went away): the commit may have landed or not. Retrying blindly
 * could append the same rows twice, so the adapter stops here and leaves every file it
 * wrote in place (they may be live). Find out with
 * `catalog.loadTable(identifier)`: when its `metadataLocation` equals
 * {@link IcebergCommitStateUnknownError.metadataLocation}, the commit landed.
 *
 * @example
 * ```ts
 * try {
 *   await table.append({ rows }, { provenance });
 * } catch (error) {
 *   if (error instanceof IcebergCommitStateUnknownError) {
 *     const entry = await catalog.loadTable(table.identifier);
 *     const landed = entry?.metadataLocation === error.metadataLocation;
 *   }
 * }
 * ```
 */
export class IcebergCommitStateUnknownError extends IcebergError<"ICEBERG_COMMIT_STATE_UNKNOWN"> {
  /** The metadata file the commit tried to make current. */
  readonly metadataLocation: string;
  /** The metadata file that was current when the commit was sent (`undefined` for a create). */
  readonly previousMetadataLocation: string | undefined;

  constructor(
    message: string,
    options: {
      metadataLocation: string;
      previousMetadataLocation: string | undefined;
      cause?: unknown;
    },
  ) {
    super("ICEBERG_COMMIT_STATE_UNKNOWN", message, { cause: options.cause });
    this.name = "IcebergCommitStateUnknownError";
    this.metadataLocation = options.metadataLocation;
    this.previousMetadataLocation = options.previousMetadataLocation;
  }
}
