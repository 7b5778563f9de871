import { DeltaError } from "./delta-errors.js";

/**
 * The log breaks the Delta protocol: no `metaData` or `protocol` action, missing or
 * non-contiguous versions, an unreadable commit, a requested version that does not
 * exist, or a data file the log lists that is not there.
 *
 * @example
 * ```ts
 * try {
 *   await table.snapshot();
 * } catch (error) {
 *   if (error instanceof DeltaProtocolError) console.error(error.code, error.message);
 * }
 * ```
 */
export class DeltaProtocolError extends DeltaError<
  | "DELTA_PROTOCOL_ERROR"
  | "DELTA_VERSIONS_NOT_CONTIGUOUS"
  | "DELTA_VERSION_NOT_FOUND"
  | "DELTA_DATA_FILE_MISSING"
> {
  constructor(
    message: string,
    options: {
      code?:
        | "DELTA_PROTOCOL_ERROR"
        | "DELTA_VERSIONS_NOT_CONTIGUOUS"
        | "DELTA_VERSION_NOT_FOUND"
        | "DELTA_DATA_FILE_MISSING"
        | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(options.code ?? "DELTA_PROTOCOL_ERROR", message, { cause: options.cause });
    this.name = "DeltaProtocolError";
  }
}
