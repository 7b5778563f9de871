import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type {
  ObjectInfo,
  ObjectStore,
  ObjectStoreCallOptions,
  ObjectStoreGetOptions,
  ObjectStoreListOptions,
  ObjectStorePutOptions,
  SignedUrlOptions,
} from "@controlroom/executor-kit";
import { abortableSleep } from "./abortable-sleep.js";
import { createS3Client } from "./create-s3-client.js";
import type { S3ClientLike, S3CommandLike } from "./s3-client-like.js";
import { s3Failure, toS3Error } from "./s3-failure.js";
import { uploadMultipart } from "./s3-multipart-upload.js";
import { S3ObjectStoreError } from "./s3-object-store-error.js";
import {
  type NormalizedS3ObjectStoreOptions,
  normalizeS3ObjectStoreOptions,
  type S3ObjectStoreOptions,
} from "./s3-object-store-options.js";
import { bytesBody, fileBody, type S3UploadBody } from "./s3-upload-body.js";

const DEFAULT_CONTENT_TYPE = "application/octet-stream";
// S3's limit on key length, in UTF-8 bytes.
const MAX_KEY_BYTES = 1024;
// S3 refuses presigned URLs valid for more than 7 days.
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

type Condition = { IfNoneMatch?: "*"; IfMatch?: string };

/**
 * An {@link ObjectStore} on Amazon S3 or an S3-compatible server (MinIO, Ceph RGW, R2)
 * through `@aws-sdk/client-s3`.
 *
 * - `putIfAbsent` is a conditional write (`If-None-Match: *`): S3 decides atomically,
 *   so exactly one of any number of racing writers wins; that makes Delta commits
 *   safe. A 409 (another conditional write on the key in flight) is retried.
 * - `putIfMatch` sends `If-Match: <etag>` (compare-and-swap).
 * - Objects above `multipartThreshold` go up as a multipart upload, with the same
 *   conditions checked when it completes.
 * - `signedUrl` presigns GET or PUT URLs (needs `@aws-sdk/s3-request-presigner`).
 * - Aborted calls reject with the signal's reason; other failures are
 *   {@link S3ObjectStoreError}s with a `code`.
 *
 * Servers that ignore `If-None-Match` (s3rver, old MinIO, S3 before August 2024) make
 * `putIfAbsent` silently non-atomic: never commit tables to them.
 *
 * Create it with {@link createS3ObjectStore}.
 */
export class S3ObjectStore implements ObjectStore {
  /** The bucket the store reads and writes. */
  readonly bucket: string;
  /** The client requests go through. */
  readonly client: S3ClientLike;
  readonly #options: NormalizedS3ObjectStoreOptions;
  readonly #ownsClient: boolean;

  constructor(options: S3ObjectStoreOptions) {
    this.#options = normalizeS3ObjectStoreOptions(options);
    this.bucket = this.#options.bucket;
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? createS3Client(options.clientConfig ?? {});
  }

  async get(key: string, options: ObjectStoreGetOptions = {}): Promise<Uint8Array | undefined> {
    const fullKey = this.#key(key);
    const range = options.range;
    if (range !== undefined) {
      if (!Number.isInteger(range.offset) || range.offset < 0 || !Number.isInteger(range.length)) {
        throw new S3ObjectStoreError(
          "S3_INVALID_ARGUMENT",
          `range must have integer offset >= 0 and length, got ${JSON.stringify(range)}`,
        );
      }
      // HTTP has no empty range; answer from HeadObject so a missing object still says so.
      if (range.length <= 0) {
        return (await this.stat(key, options)) === undefined ? undefined : new Uint8Array(0);
      }
    }
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: fullKey,
      ...(range === undefined
        ? {}
        : { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }),
    });
    try {
      const output = (await this.#send(command, options.signal)) as GetObjectCommandOutput;
      if (output.Body === undefined) return new Uint8Array(0);
      return await output.Body.transformToByteArray();
    } catch (error) {
      this.#rethrowAbort(error, options.signal);
      const failure = s3Failure(error);
      if (failure.s3Code === "NoSuchKey" || (failure.status === 404 && !isBucketError(failure))) {
        return undefined;
      }
      // A range starting at or past the end: the object exists, the slice is empty.
      if (failure.status === 416) return new Uint8Array(0);
      throw toS3Error(error, "GetObject", this.bucket, fullKey);
    }
  }

  async put(
    key: string,
    data: Uint8Array,
    options: ObjectStorePutOptions = {},
  ): Promise<ObjectInfo> {
    const info = await this.#write("PutObject", key, data, {}, options);
    if (info === undefined) {
      throw new S3ObjectStoreError("S3_REQUEST_FAILED", `S3 PutObject ${key}: precondition failed`);
    }
    return info;
  }

  putIfAbsent(
    key: string,
    data: Uint8Array,
    options: ObjectStorePutOptions = {},
  ): Promise<ObjectInfo | undefined> {
    return this.#write("PutObject If-None-Match", key, data, { IfNoneMatch: "*" }, options);
  }

  /**
   * {@link S3ObjectStore.put} from a local file: above `multipartThreshold` a multipart
   * upload reads it part by part (`partSize` × `partConcurrency` bytes in memory at
   * most), below it one PutObject.
   */
  async putFile(
    key: string,
    path: string,
    options: ObjectStorePutOptions = {},
  ): Promise<ObjectInfo> {
    const info = await this.#writeFile("PutObject", key, path, {}, options);
    if (info === undefined) {
      throw new S3ObjectStoreError("S3_REQUEST_FAILED", `S3 PutObject ${key}: precondition failed`);
    }
    return info;
  }

  /** {@link S3ObjectStore.putIfAbsent} from a local file, uploaded as in `putFile`. */
  putFileIfAbsent(
    key: string,
    path: string,
    options: ObjectStorePutOptions = {},
  ): Promise<ObjectInfo | undefined> {
    return this.#writeFile("PutObject If-None-Match", key, path, { IfNoneMatch: "*" }, options);
  }

  putIfMatch(
    key: string,
    data: Uint8Array,
    etag: string,
    options: ObjectStorePutOptions = {},
  ): Promise<ObjectInfo | undefined> {
    return this.#write("PutObject If-Match", key, data, { IfMatch: etag }, options);
  }

  /**
   * Lists keys under `prefix` in ascending UTF-8 byte order. `startAfter` (S3's
   * `start-after`) begins the listing after that key: a Delta reader lists `_delta_log/` from its
   * last checkpoint instead of paging through every commit since the table began.
   */
  async *list(prefix: string, options: ObjectStoreListOptions = {}): AsyncIterable<ObjectInfo> {
    const fullPrefix = this.#options.keyPrefix + prefix;
    const startAfter =
      options.startAfter === undefined ? undefined : this.#options.keyPrefix + options.startAfter;
    let token: string | undefined;
    do {
      const command = new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: fullPrefix,
        // Ignored by S3 once a continuation token is given.
        ...(startAfter === undefined ? {} : { StartAfter: startAfter }),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      });
      let page: ListObjectsV2CommandOutput;
      try {
        page = (await this.#send(command, options.signal)) as ListObjectsV2CommandOutput;
      } catch (error) {
        this.#rethrowAbort(error, options.signal);
        throw toS3Error(error, "ListObjectsV2", this.bucket, fullPrefix);
      }
      // S3 lists in ascending UTF-8 byte order, the order the port promises.
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.#options.keyPrefix.length),
          size: object.Size ?? 0,
          etag: object.ETag,
          lastModified: object.LastModified,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string, options: ObjectStoreCallOptions = {}): Promise<void> {
    const fullKey = this.#key(key);
    try {
      // S3 answers 204 for a missing key too, which is what the port wants.
      await this.#send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }),
        options.signal,
      );
    } catch (error) {
      this.#rethrowAbort(error, options.signal);
      if (s3Failure(error).status === 404 && !isBucketError(s3Failure(error))) return;
      throw toS3Error(error, "DeleteObject", this.bucket, fullKey);
    }
  }

  async stat(key: string, options: ObjectStoreCallOptions = {}): Promise<ObjectInfo | undefined> {
    const fullKey = this.#key(key);
    try {
      const output = (await this.#send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }),
        options.signal,
      )) as HeadObjectCommandOutput;
      return {
        key,
        size: output.ContentLength ?? 0,
        etag: output.ETag,
        lastModified: output.LastModified,
        contentType: output.ContentType,
      };
    } catch (error) {
      this.#rethrowAbort(error, options.signal);
      // HEAD responses have no body: a missing key and a missing bucket are both a
      // bare 404, so a missing bucket reads as a missing object here.
      if (s3Failure(error).status === 404) return undefined;
      throw toS3Error(error, "HeadObject", this.bucket, fullKey);
    }
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.#key(key)}`;
  }

  async signedUrl(key: string, options: SignedUrlOptions = {}): Promise<string> {
    const fullKey = this.#key(key);
    const expiresIn = options.expiresInSeconds ?? 900;
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_SECONDS) {
      throw new S3ObjectStoreError(
        "S3_INVALID_ARGUMENT",
        `expiresInSeconds must be an integer from 1 to ${MAX_EXPIRES_SECONDS}, got ${expiresIn}`,
      );
    }
    // Duck-typed rather than `instanceof`, which fails across duplicate SDK copies.
    if (!isSdkClient(this.client)) {
      throw new S3ObjectStoreError(
        "S3_UNSUPPORTED",
        "signedUrl needs an S3Client from @aws-sdk/client-s3 (it signs with its credentials and middleware)",
      );
    }
    let presigner: typeof import("@aws-sdk/s3-request-presigner");
    try {
      presigner = await import("@aws-sdk/s3-request-presigner");
    } catch (cause) {
      throw new S3ObjectStoreError(
        "S3_UNSUPPORTED",
        "signedUrl needs @aws-sdk/s3-request-presigner: install it next to @aws-sdk/client-s3",
        { cause },
      );
    }
    const input = { Bucket: this.bucket, Key: fullKey };
    const command =
      options.method === "PUT" ? new PutObjectCommand(input) : new GetObjectCommand(input);
    return presigner.getSignedUrl(this.client as unknown as S3Client, command, { expiresIn });
  }

  /** Closes the client when the store created it; an injected client stays open. */
  async close(): Promise<void> {
    if (this.#ownsClient) this.client.destroy?.();
  }

  #write(
    operation: string,
    key: string,
    data: Uint8Array,
    condition: Condition,
    options: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    return this.#writeBody(operation, key, bytesBody(data), condition, options);
  }

  async #writeFile(
    operation: string,
    key: string,
    path: string,
    condition: Condition,
    options: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    options.signal?.throwIfAborted();
    this.#key(key);
    const body = await fileBody(path);
    try {
      return await this.#writeBody(operation, key, body, condition, options);
    } finally {
      await body.close();
    }
  }

  async #writeBody(
    operation: string,
    key: string,
    data: S3UploadBody,
    condition: Condition,
    options: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    const fullKey = this.#key(key);
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    const conditional = condition.IfMatch !== undefined || condition.IfNoneMatch !== undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const etag = await this.#upload(fullKey, data, contentType, condition, options.signal);
        return { key, size: data.size, etag, contentType };
      } catch (error) {
        this.#rethrowAbort(error, options.signal);
        const failure = s3Failure(error);
        if (conditional && failure.status === 412) return undefined;
        // If-Match on a key that is gone: some servers say 404 instead of 412.
        if (condition.IfMatch !== undefined && failure.s3Code === "NoSuchKey") return undefined;
        // 409 ConditionalRequestConflict: another conditional write on this key is in
        // flight. Trying again settles it: 412 once the other one has won.
        if (conditional && failure.status === 409 && attempt < this.#options.conflictAttempts) {
          await abortableSleep(50 * 2 ** attempt * Math.random(), options.signal);
          continue;
        }
        throw toS3Error(error, operation, this.bucket, fullKey);
      }
    }
  }

  async #upload(
    fullKey: string,
    source: S3UploadBody,
    contentType: string,
    condition: Condition,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    if (source.size > this.#options.multipartThreshold) {
      signal?.throwIfAborted();
      const output = await uploadMultipart({
        client: this.client,
        bucket: this.bucket,
        key: fullKey,
        body: source,
        contentType,
        partSize: this.#options.partSize,
        concurrency: this.#options.partConcurrency,
        condition,
        signal,
      });
      return output.ETag;
    }
    // At most multipartThreshold bytes: small enough to hold whole.
    const data = await source.read(0, source.size);
    const output = (await this.#send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: fullKey,
        Body: data,
        ContentLength: data.byteLength,
        ContentType: contentType,
        ...condition,
      }),
      signal,
    )) as PutObjectCommandOutput;
    return output.ETag;
  }

  #send(command: S3CommandLike, signal: AbortSignal | undefined): Promise<unknown> {
    signal?.throwIfAborted();
    return this.client.send(command, signal === undefined ? {} : { abortSignal: signal });
  }

  // The SDK rejects an aborted request with its own AbortError; the port promises
  // the signal's reason, so that callers can tell their own cancellation apart.
  #rethrowAbort(error: unknown, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof S3ObjectStoreError) throw error;
  }

  #key(key: string): string {
    if (key === "" || key.startsWith("/")) {
      throw new S3ObjectStoreError(
        "S3_INVALID_KEY",
        `invalid key "${key}": keys are relative and non-empty`,
      );
    }
    const fullKey = this.#options.keyPrefix + key;
    if (Buffer.byteLength(fullKey, "utf8") > MAX_KEY_BYTES) {
      throw new S3ObjectStoreError(
        "S3_INVALID_KEY",
        `key is longer than S3's ${MAX_KEY_BYTES} bytes: ${fullKey.slice(0, 80)}…`,
      );
    }
    return fullKey;
  }
}

/**
 * Creates an {@link S3ObjectStore}. Pass `client` to share one `S3Client` (and its
 * connection pool) between stores, or `clientConfig` to let the store build one.
 *
 * @example
 * ```ts
 * import { createS3ObjectStore } from "@controlroom/adapters/s3";
 *
 * const store = createS3ObjectStore({
 *   bucket: "lake",
 *   prefix: "dev",
 *   clientConfig: {
 *     endpoint: "http://127.0.0.1:9000",
 *     region: "us-east-1",
 *     credentials: { accessKeyId: "minio", secretAccessKey: "minio-secret" },
 *   },
 * });
 * await store.putIfAbsent("t/_delta_log/00000000000000000000.json", new TextEncoder().encode("{}"));
 * ```
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): S3ObjectStore {
  return new S3ObjectStore(options);
}

function isSdkClient(client: S3ClientLike): boolean {
  return "config" in client && "middlewareStack" in client;
}

function isBucketError(failure: { s3Code: string | undefined }): boolean {
  return failure.s3Code === "NoSuchBucket";
}
