import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the Delta adapter throws. */
export type DeltaErrorCode =
  | "DELTA_TABLE_NOT_FOUND"
  | "DELTA_TABLE_EXISTS"
  | "DELTA_PROTOCOL_ERROR"
  | "DELTA_VERSIONS_NOT_CONTIGUOUS"
  | "DELTA_VERSION_NOT_FOUND"
  | "DELTA_UNSUPPORTED_FEATURE"
  | "DELTA_CONCURRENT_MODIFICATION"
  | "DELTA_DATA_FILE_MISSING"
  | "DELTA_RESTORE_FILES_MISSING"
  | "DELTA_INVALID_ARGUMENT";

/**
 * The base class of the Delta adapter's errors; `code` says which one.
 *
 * @example
 * ```ts
 * try {
 *   await table.snapshot({ version: 3 });
 * } catch (error) {
 *   if (error instanceof DeltaError && error.code === "DELTA_VERSION_NOT_FOUND") showLatest();
 * }
 * ```
 */
export class DeltaError<Code extends DeltaErrorCode = DeltaErrorCode> extends AdapterError<Code> {
  constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "DeltaError";
  }
}
