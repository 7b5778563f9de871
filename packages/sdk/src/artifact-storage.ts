/** What {@link ArtifactStorage.put} is given: bytes whose hash is already known. */
export interface ArtifactPutRequest {
  /** SHA-256 of `data`, 64 lowercase hex characters. */
  sha256: string;
  data: Uint8Array;
  mediaType: string;
  signal?: AbortSignal | undefined;
}

/** What {@link ArtifactStorage.putStream} is given: bytes to hash while they are written. */
export interface ArtifactPutStreamRequest {
  data: AsyncIterable<Uint8Array>;
  mediaType: string;
  signal?: AbortSignal | undefined;
}

/**
 * Where `client.artifacts.put()` keeps artifact bytes. Storage is content addressed:
 * an artifact's key derives from its SHA-256 (`artifacts/sha256/ab/cd/<sha256>`), and
 * writing bytes that are already there is a no-op, so retries, rebuilds and other runs
 * store each content once.
 *
 * `put` is required. `putStream` is optional: a storage that has it receives streamed
 * data once, hashing while it writes (to a temporary object, then published under the
 * hash); without it the SDK hashes the stream in memory first and calls `put`.
 * The executor kit's `toArtifactStorage(objectStore)` adapts any ObjectStore.
 *
 * @example
 * ```ts
 * const storage: ArtifactStorage = localArtifactStorage("./.controlroom/artifacts");
 * const artifact = await client.artifacts.put({ data: "a,b\n1,2\n", mediaType: "text/csv", storage });
 * ```
 */
export interface ArtifactStorage {
  put(request: ArtifactPutRequest): Promise<{ uri: string }>;
  putStream?(
    request: ArtifactPutStreamRequest,
  ): Promise<{ sha256: string; sizeBytes: number; uri: string }>;
}

/** The key an artifact is stored under: `artifacts/sha256/ab/cd/<sha256>`. */
export function artifactKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError(`not a sha256: ${sha256}`);
  return `artifacts/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
