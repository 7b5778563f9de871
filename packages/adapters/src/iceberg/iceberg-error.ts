import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the Iceberg adapter throws. */
export type IcebergErrorCode =
  /** The catalog has no such table. */
  | "ICEBERG_TABLE_NOT_FOUND"
  /** `create` found a table under that identifier already. */
  | "ICEBERG_TABLE_EXISTS"
  /** Time travel named a snapshot (id, sequence number or instant) the table does not have. */
  | "ICEBERG_SNAPSHOT_NOT_FOUND"
  /** A bad argument: an invalid schema, partition spec, identifier or value. */
  | "ICEBERG_INVALID_ARGUMENT"
  /** Metadata JSON, a manifest or a manifest list that breaks the spec or cannot be read. */
  | "ICEBERG_INVALID_METADATA"
  /** The table uses something this adapter does not implement (delete files, format v1/v3…). */
  | "ICEBERG_UNSUPPORTED_FEATURE"
  /** Another writer committed first and the change cannot be re-applied on top. */
  | "ICEBERG_COMMIT_CONFLICT"
  /** The catalog may or may not have taken the commit (the connection dropped mid-UPDATE). */
  | "ICEBERG_COMMIT_STATE_UNKNOWN"
  /** The catalog database refused a statement. */
  | "ICEBERG_CATALOG_ERROR"
  /** A file the metadata names is not in the store. */
  | "ICEBERG_FILE_MISSING";

/**
 * The base class of the Iceberg adapter's errors; `code` says which one. Subclasses
 * carry more: {@link IcebergCommitStateUnknownError} the metadata file it tried to
 * commit.
 *
 * @example
 * ```ts
 * try {
 *   await table.snapshot({ snapshotId: 42n });
 * } catch (error) {
 *   if (error instanceof IcebergError && error.code === "ICEBERG_SNAPSHOT_NOT_FOUND") showCurrent();
 * }
 * ```
 */
export class IcebergError<
  Code extends IcebergErrorCode = IcebergErrorCode,
> extends AdapterError<Code> {
  constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "IcebergError";
  }
}
