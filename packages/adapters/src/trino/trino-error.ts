import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the Trino adapter throws. */
export type TrinoErrorCode =
  /** Trino failed the query; `errorName`, `errorType`, `trinoErrorCode` and `queryId` say how. */
  | "TRINO_QUERY_FAILED"
  /** The server refused the credentials (HTTP 401 or 403). */
  | "TRINO_AUTHENTICATION_FAILED"
  /** The server answered with an HTTP error or a response that is not the client protocol. */
  | "TRINO_REQUEST_FAILED"
  /** No answer: connection refused, DNS, TLS handshake or a request timeout. */
  | "TRINO_CONNECTION_FAILED"
  /** An option or a parameter cannot be used (named parameters, a value with no Trino type). */
  | "TRINO_INVALID_ARGUMENT"
  /** The engine was closed. */
  | "TRINO_CLOSED"
  /** The installed `trino-client` is not the one this adapter was built against. */
  | "TRINO_CLIENT_UNSUPPORTED";

/** Options of {@link TrinoError}: what Trino said, when it said anything. */
export interface TrinoErrorDetails {
  /** The error that caused this one. */
  cause?: unknown;
  /** The query's id on the server (`20240101_120000_00001_abcde`), when it got one. */
  queryId?: string | undefined;
  /** Trino's error name, e.g. `COLUMN_NOT_FOUND`, `USER_CANCELED`, `EXCEEDED_TIME_LIMIT`. */
  errorName?: string | undefined;
  /** Trino's error type: `USER_ERROR`, `INTERNAL_ERROR`, `INSUFFICIENT_RESOURCES`, `EXTERNAL`. */
  errorType?: string | undefined;
  /** Trino's numeric error code (`47` for `COLUMN_NOT_FOUND`). */
  trinoErrorCode?: number | undefined;
  /** The HTTP status, for errors that came as one. */
  status?: number | undefined;
}

/**
 * Thrown by the Trino adapter. For `TRINO_QUERY_FAILED` the message is Trino's own
 * (`line 1:8: Column 'x' cannot be resolved`) and `errorName`, `errorType`,
 * `trinoErrorCode` and `queryId` come from the server, so a failure can be looked up
 * in Trino's UI or `system.runtime.queries`. Cancelled calls reject with the signal's
 * reason instead.
 *
 * @example
 * ```ts
 * try {
 *   await engine.query("SELECT nope");
 * } catch (error) {
 *   if (error instanceof TrinoError && error.errorName === "COLUMN_NOT_FOUND") {
 *     console.error(error.queryId, error.message);
 *   }
 * }
 * ```
 */
export class TrinoError extends AdapterError<TrinoErrorCode> {
  /** The query's id on the server, when it got one. */
  readonly queryId: string | undefined;
  /** Trino's error name (`COLUMN_NOT_FOUND`), for query failures. */
  readonly errorName: string | undefined;
  /** Trino's error type (`USER_ERROR`), for query failures. */
  readonly errorType: string | undefined;
  /** Trino's numeric error code, for query failures. */
  readonly trinoErrorCode: number | undefined;
  /** The HTTP status, for errors that came as one. */
  readonly status: number | undefined;

  constructor(code: TrinoErrorCode, message: string, details: TrinoErrorDetails = {}) {
    super(code, message, { cause: details.cause });
    this.name = "TrinoError";
    this.queryId = details.queryId;
    this.errorName = details.errorName;
    this.errorType = details.errorType;
    this.trinoErrorCode = details.trinoErrorCode;
    this.status = details.status;
  }
}
