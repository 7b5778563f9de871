import { type S3ErrorCode, S3ObjectStoreError } from "./s3-object-store-error.js";

/** What an `@aws-sdk/client-s3` error says about the response. */
export interface S3Failure {
  /** The HTTP status; `undefined` when no response came (network error). */
  status: number | undefined;
  /** S3's error code (`NoSuchKey`, `PreconditionFailed`…), or the error's name. */
  s3Code: string | undefined;
  requestId: string | undefined;
}

/**
 * Reads the status, S3 error code and request id off an SDK error. The SDK puts them
 * in `$metadata` and `name` (HEAD responses have no body, so a missing object there
 * is only `NotFound` with status 404).
 *
 * @example
 * ```ts
 * if (s3Failure(error).status === 412) return undefined;
 * ```
 */
export function s3Failure(error: unknown): S3Failure {
  const value = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  };
  const status = value.$metadata?.httpStatusCode;
  const code = typeof value.Code === "string" ? value.Code : value.name;
  const requestId = value.$metadata?.requestId;
  return {
    status: typeof status === "number" ? status : undefined,
    s3Code: typeof code === "string" ? code : undefined,
    requestId: typeof requestId === "string" ? requestId : undefined,
  };
}

/**
 * Wraps an SDK error in an {@link S3ObjectStoreError} whose message names the
 * operation, the bucket and the key.
 *
 * @example
 * ```ts
 * throw toS3Error(error, "GetObject", "bucket", "a/b.json");
 * ```
 */
export function toS3Error(
  error: unknown,
  operation: string,
  bucket: string,
  key: string,
): S3ObjectStoreError {
  const failure = s3Failure(error);
  let code: S3ErrorCode = "S3_REQUEST_FAILED";
  if (failure.status === 403) code = "S3_ACCESS_DENIED";
  else if (failure.s3Code === "NoSuchBucket") code = "S3_NO_SUCH_BUCKET";
  else if (failure.status === 409) code = "S3_CONFLICT";
  const detail = error instanceof Error ? error.message : String(error);
  const status = failure.status === undefined ? "no response" : `HTTP ${failure.status}`;
  return new S3ObjectStoreError(
    code,
    `S3 ${operation} s3://${bucket}/${key} failed (${status}${failure.s3Code ? ` ${failure.s3Code}` : ""}): ${detail}`,
    { cause: error, ...failure },
  );
}
