/**
 * What a store knows about one object.
 *
 * @example
 * ```ts
 * const info: ObjectInfo = { key: "artifacts/sha256/ab/cd", size: 12, etag: "\"9a0364b9\"" };
 * ```
 */
export interface ObjectInfo {
  /** The object's key, relative to the store's root, with `/` separators. */
  key: string;
  /** Its length in bytes. */
  size: number;
  /**
   * An opaque version tag, compared by {@link ObjectStore.putIfMatch}. Absent when the
   * store has none.
   */
  etag?: string | undefined;
  /** When it was last written, when the store says. */
  lastModified?: Date | undefined;
  /** The media type it was stored with, when the store keeps one. */
  contentType?: string | undefined;
}

/** Options every {@link ObjectStore} call accepts. */
export interface ObjectStoreCallOptions {
  /**
   * Aborts the call; the store rejects with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** Options of {@link ObjectStore.list}. */
export interface ObjectStoreListOptions extends ObjectStoreCallOptions {
  /**
   * A hint, as S3's `StartAfter`: the store may leave out keys up to and including this
   * one, which saves listing an old table's whole log. Stores may ignore it, so callers
   * still filter what they get.
   */
  startAfter?: string | undefined;
}

/** Options of {@link ObjectStore.put}, {@link ObjectStore.putIfAbsent} and {@link ObjectStore.putIfMatch}. */
export interface ObjectStorePutOptions extends ObjectStoreCallOptions {
  /**
   * The media type to store with the object.
   * @default "application/octet-stream"
   */
  contentType?: string | undefined;
}

/** Options of {@link ObjectStore.get}. */
export interface ObjectStoreGetOptions extends ObjectStoreCallOptions {
  /**
   * Read only these bytes (Parquet footers, Delta checkpoints). `length` past the end
   * is cut short, not an error.
   * @default undefined (the whole object)
   */
  range?: { offset: number; length: number } | undefined;
}

/** Options of {@link ObjectStore.signedUrl}. */
export interface SignedUrlOptions {
  /**
   * How long the URL stays valid, in seconds.
   * @default 900
   */
  expiresInSeconds?: number | undefined;
  /**
   * What the URL allows.
   * @default "GET"
   */
  method?: "GET" | "PUT" | undefined;
}

/**
 * The port every blob store implements (local directory, S3, GCS, memory): the small
 * set of operations Delta and Iceberg tables and content-addressed artifacts need.
 * Keys are relative, `/`-separated and never start with `/`. Every adapter runs
 * `objectStoreConformance()` from `@controlroom/executor-kit/testing`.
 *
 * Table formats depend on {@link ObjectStore.putIfAbsent} being atomic: two writers
 * racing to create `_delta_log/00000000000000000007.json` must see exactly one win.
 * A store that cannot promise that (s3rver, some NFS mounts) must say so in its docs.
 *
 * @example
 * ```ts
 * const store: ObjectStore = createMemoryObjectStore();
 * await store.put("greeting.txt", new TextEncoder().encode("hello"));
 * const bytes = await store.get("greeting.txt"); // Uint8Array | undefined
 * ```
 */
export interface ObjectStore {
  /**
   * The object's bytes, or `undefined` when there is no object at `key`.
   */
  get(key: string, options?: ObjectStoreGetOptions): Promise<Uint8Array | undefined>;
  /** Writes (or overwrites) the object at `key`. */
  put(key: string, data: Uint8Array, options?: ObjectStorePutOptions): Promise<ObjectInfo>;
  /**
   * Writes the object only when nothing is at `key`, atomically. Resolves to the new
   * object's info, or `undefined` when an object was already there (left untouched).
   */
  putIfAbsent(
    key: string,
    data: Uint8Array,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined>;
  /**
   * Writes (or overwrites) the object at `key` with the bytes of the local file at
   * `path`, without holding the whole file in memory (a kernel copy for a local store,
   * a multipart upload read part by part for S3). The file itself is left in place.
   * Optional (a store has both `putFile` and `putFileIfAbsent`, or neither): callers
   * fall back to reading the file and calling {@link ObjectStore.put}. Use it for large
   * data files (Parquet files of 128 MB and more).
   */
  putFile?(key: string, path: string, options?: ObjectStorePutOptions): Promise<ObjectInfo>;
  /**
   * {@link ObjectStore.putIfAbsent} from a local file, streamed as in
   * {@link ObjectStore.putFile}: atomic, and resolves to `undefined` (leaving the object
   * untouched) when something is already at `key`. Optional, like `putFile`.
   */
  putFileIfAbsent?(
    key: string,
    path: string,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined>;
  /**
   * Compare-and-swap: overwrites `key` only while its etag is still `etag`. Resolves to
   * the new info, or `undefined` when the object changed or vanished. Optional: stores
   * without conditional overwrites leave it out (Iceberg's pointer swap needs it).
   */
  putIfMatch?(
    key: string,
    data: Uint8Array,
    etag: string,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined>;
  /**
   * Every object whose key starts with `prefix` (`""` for all), in ascending key order,
   * paged lazily. Order matters: Delta finds its latest commit by listing `_delta_log/`.
   */
  list(prefix: string, options?: ObjectStoreListOptions): AsyncIterable<ObjectInfo>;
  /** Removes the object at `key`; removing a missing object is not an error. */
  delete(key: string, options?: ObjectStoreCallOptions): Promise<void>;
  /** The object's info without its bytes, or `undefined` when it does not exist. */
  stat(key: string, options?: ObjectStoreCallOptions): Promise<ObjectInfo | undefined>;
  /**
   * The absolute URI of `key` (`file:///data/…`, `s3://bucket/…`), as recorded in
   * artifacts and table logs. Pure: it does not check that the object exists.
   */
  uri(key: string): string;
  /**
   * A URL that lets someone without credentials read (or write) `key` for a while.
   * Optional: stores that cannot sign (local directories) leave it out.
   */
  signedUrl?(key: string, options?: SignedUrlOptions): Promise<string>;
}
