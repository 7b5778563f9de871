import { AdapterError } from "../internal/adapter-error.js";

/** Every error code the S3 adapter throws. */
export type S3ErrorCode =
  /** The key is empty, starts with `/` or is longer than S3 allows. */
  | "S3_INVALID_KEY"
  /** An option is out of range (part size, expiry). */
  | "S3_INVALID_ARGUMENT"
  /** The credentials were refused or lack a permission (HTTP 403). */
  | "S3_ACCESS_DENIED"
  /** The bucket does not exist. */
  | "S3_NO_SUCH_BUCKET"
  /** A conditional write kept colliding with another one in flight (HTTP 409). */
  | "S3_CONFLICT"
  /** The store cannot do this (signing with a client that is not an `S3Client`). */
  | "S3_UNSUPPORTED"
  /** Any other failed request: network errors, 5xx after the SDK's retries, 4xx. */
  | "S3_REQUEST_FAILED";

/** Details of the failed request, when there was one. */
export interface S3ObjectStoreErrorOptions {
  /** @default undefined */
  cause?: unknown;
  /** The HTTP status, when a response came. @default undefined */
  status?: number | undefined;
  /** S3's own error code (`NoSuchBucket`, `SlowDown`…). @default undefined */
  s3Code?: string | undefined;
  /** The `x-amz-request-id` to quote to the provider. @default undefined */
  requestId?: string | undefined;
}

/**
 * Thrown by the S3 {@link ObjectStore}: `code` is one of {@link S3ErrorCode}; `status`,
 * `s3Code` and `requestId` describe the response, when one came. Aborted calls reject
 * with the signal's reason instead.
 *
 * @example
 * ```ts
 * try {
 *   await store.put("a.txt", bytes);
 * } catch (error) {
 *   if (error instanceof S3ObjectStoreError && error.code === "S3_ACCESS_DENIED") rotateKeys();
 * }
 * ```
 */
export class S3ObjectStoreError extends AdapterError<S3ErrorCode> {
  readonly status: number | undefined;
  readonly s3Code: string | undefined;
  readonly requestId: string | undefined;

  constructor(code: S3ErrorCode, message: string, options: S3ObjectStoreErrorOptions = {}) {
    super(code, message, { cause: options.cause });
    this.name = "S3ObjectStoreError";
    this.status = options.status;
    this.s3Code = options.s3Code;
    this.requestId = options.requestId;
  }
}
