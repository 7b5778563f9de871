import type { S3ClientLike } from "./s3-client-like.js";
import { S3ObjectStoreError } from "./s3-object-store-error.js";

/** How to build an `S3Client` when none is injected. */
export interface S3ClientConfig {
  /**
   * The endpoint of an S3-compatible server (`http://127.0.0.1:9000`, MinIO, Ceph,
   * R2…).
   * @default undefined (AWS S3 of `region`)
   */
  endpoint?: string | undefined;
  /**
   * The region requests are signed for.
   * @default "us-east-1"
   */
  region?: string | undefined;
  /**
   * Static credentials.
   * @default undefined (the SDK's default chain: environment, profile, instance role)
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /**
   * Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`. Most
   * S3-compatible servers need it.
   * @default true when `endpoint` is set, else false
   */
  forcePathStyle?: boolean | undefined;
}

/** Options of {@link createS3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** The bucket every key lives in. It must exist. */
  bucket: string;
  /**
   * A key prefix inside the bucket, so that several stores can share one bucket
   * (`"lake"` stores key `a/b` at `lake/a/b`). Leading and trailing `/` are ignored.
   * @default "" (the bucket's root)
   */
  prefix?: string | undefined;
  /**
   * The client to send requests with (an `S3Client` from `@aws-sdk/client-s3`). The
   * store never closes an injected client. `signedUrl` needs a real `S3Client`.
   * @default undefined (one built from `clientConfig`)
   */
  client?: S3ClientLike | undefined;
  /**
   * How to build the client when `client` is not given.
   * @default {} (AWS S3, us-east-1, the SDK's default credentials)
   */
  clientConfig?: S3ClientConfig | undefined;
  /**
   * Objects larger than this many bytes are uploaded in parts (multipart upload), so
   * that a failed part is retried alone and parts go up in parallel.
   * @default 16 MiB
   */
  multipartThreshold?: number | undefined;
  /**
   * The size of each part of a multipart upload; S3 requires at least 5 MiB (except
   * the last part) and at most 10,000 parts.
   * @default 8 MiB
   */
  partSize?: number | undefined;
  /**
   * How many parts of one object are uploaded at once.
   * @default 4
   */
  partConcurrency?: number | undefined;
  /**
   * How many times a conditional write is tried while S3 answers 409
   * (`ConditionalRequestConflict`: another conditional write on the key is in flight).
   * @default 5
   */
  conflictAttempts?: number | undefined;
}

/** {@link S3ObjectStoreOptions} after defaults, as the store uses them. */
export interface NormalizedS3ObjectStoreOptions {
  bucket: string;
  /** `""` or a prefix ending in `/`. */
  keyPrefix: string;
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
  conflictAttempts: number;
}

const MIB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MIB;

/**
 * Applies the defaults of {@link S3ObjectStoreOptions} once and checks the ranges S3
 * imposes, so that a bad part size fails at construction and not mid-upload.
 *
 * @example
 * ```ts
 * normalizeS3ObjectStoreOptions({ bucket: "lake", prefix: "/dev/" }).keyPrefix; // "dev/"
 * ```
 */
export function normalizeS3ObjectStoreOptions(
  options: S3ObjectStoreOptions,
): NormalizedS3ObjectStoreOptions {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw invalid(
      `bucket "${options.bucket}" is not a valid S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)`,
    );
  }
  const trimmed = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
  const partSize = options.partSize ?? 8 * MIB;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw invalid(`partSize must be an integer of at least 5 MiB, got ${partSize}`);
  }
  const multipartThreshold = options.multipartThreshold ?? 16 * MIB;
  if (!Number.isInteger(multipartThreshold) || multipartThreshold < partSize) {
    throw invalid(
      `multipartThreshold must be an integer of at least partSize (${partSize}), got ${multipartThreshold}`,
    );
  }
  return {
    bucket: options.bucket,
    keyPrefix: trimmed === "" ? "" : `${trimmed}/`,
    multipartThreshold,
    partSize,
    partConcurrency: Math.max(1, options.partConcurrency ?? 4),
    conflictAttempts: Math.max(1, options.conflictAttempts ?? 5),
  };
}

function invalid(message: string): S3ObjectStoreError {
  return new S3ObjectStoreError("S3_INVALID_ARGUMENT", message);
}
