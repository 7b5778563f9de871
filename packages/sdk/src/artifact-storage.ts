/**
 * What {@link ArtifactStorage.put} is given: bytes whose hash is already known.
 *
 * @example
 * ```ts
 * const request: ArtifactPutRequest = { sha256, data: bytes, mediaType: "text/csv" };
 * ```
 */
export interface ArtifactPutRequest {
  /** SHA-256 of `data`, 64 lowercase hex characters. */
  sha256: string;
  data: Uint8Array;
  mediaType: string;
  signal?: AbortSignal | undefined;
}

/**
 * What {@link ArtifactStorage.putStream} is given: chunks to hash while they are
 * written, read once.
 *
 * @example
 * ```ts
 * const request: ArtifactPutStreamRequest = { data: createReadStream("big.parquet"), mediaType: "application/vnd.apache.parquet" };
 * ```
 */
export interface ArtifactPutStreamRequest {
  data: AsyncIterable<Uint8Array>;
  mediaType: string;
  signal?: AbortSignal | undefined;
}

/**
 * Where `client.artifacts.put()` keeps artifact bytes: a small structural interface
 * that any object store can satisfy (the executor kit's `toArtifactStorage(store)`
 * adapts its ObjectStore ports; `localArtifactStorage(dir)` ships with the SDK).
 *
 * Storage is content addressed: an artifact lives at {@link artifactKey}
 * (`artifacts/sha256/ab/cd/<sha256>`) and is written with put-if-absent semantics, so
 * retries, rebuilds and other runs store each content once and a reader never sees a
 * partial object. Implementations must return a `uri` the control plane can record
 * (`file://…`, `s3://…`).
 *
 * - `put({ sha256, data })` is required: the bytes and their hash are already known
 *   (the SDK hashed them). Write them at `artifactKey(sha256)` unless already there.
 * - `putStream({ data })` is optional and lets a stream be read **once**: write the
 *   chunks to a temporary key while hashing them, then publish under
 *   `artifactKey(sha256)` with put-if-absent (or drop the temporary copy when the
 *   content already exists) and return the hash, size and URI. Without it, the SDK
 *   hashes a stream in memory first and then calls `put`, which holds the whole
 *   artifact in memory.
 *
 * Both receive the caller's `AbortSignal`; honour it and leave no partial object.
 *
 * @example
 * ```ts
 * // A storage over an in-memory map (for tests); real ones write files or objects.
 * const objects = new Map<string, Uint8Array>();
 * const memory: ArtifactStorage = {
 *   async put({ sha256, data }) {
 *     const key = artifactKey(sha256);
 *     if (!objects.has(key)) objects.set(key, data);
 *     return { uri: `memory://${key}` };
 *   },
 * };
 * await client.artifacts.put({ data: "a,b\n1,2\n", mediaType: "text/csv", storage: memory });
 * ```
 */
export interface ArtifactStorage {
  /** Stores known bytes at `artifactKey(sha256)` unless present; returns their URI. */
  put(request: ArtifactPutRequest): Promise<{ uri: string }>;
  /**
   * Optional: reads the stream once, hashing while writing to a temporary key, then
   * publishes content-addressed (put-if-absent). Returns what it computed.
   */
  putStream?(
    request: ArtifactPutStreamRequest,
  ): Promise<{ sha256: string; sizeBytes: number; uri: string }>;
}

/**
 * The key an artifact is stored under: `artifacts/sha256/ab/cd/<sha256>` (two levels
 * of fan-out keep directories and listings small).
 *
 * @example
 * ```ts
 * artifactKey("ab".repeat(32)); // "artifacts/sha256/ab/ab/abab…ab"
 * ```
 */
export function artifactKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError(`not a sha256: ${sha256}`);
  return `artifacts/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
