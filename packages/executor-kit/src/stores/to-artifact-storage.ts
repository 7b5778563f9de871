import { artifactKey } from "../internal/artifact-key.js";
import type { ObjectStore } from "../ports/object-store.js";

/** What the SDK's `artifacts.put()` asks of its storage: keep these bytes, say where. */
export interface ObjectStoreArtifactStorage {
  put(request: {
    sha256: string;
    data: Uint8Array;
    mediaType: string;
    signal?: AbortSignal | undefined;
  }): Promise<{ uri: string }>;
}

/**
 * Adapts an {@link ObjectStore} to the SDK's artifact storage: bytes go to
 * `artifacts/sha256/ab/cd/<sha256>` with `putIfAbsent`, so storing the same content
 * twice (a retry, a rebuild, another run) writes it once.
 *
 * @example
 * ```ts
 * const storage = toArtifactStorage(createMemoryObjectStore());
 * await client.artifacts.put({ data, mediaType: "text/csv", storage });
 * ```
 */
export function toArtifactStorage(store: ObjectStore): ObjectStoreArtifactStorage {
  return {
    async put({ sha256, data, mediaType, signal }) {
      const key = artifactKey(sha256);
      await store.putIfAbsent(key, data, { contentType: mediaType, signal });
      return { uri: store.uri(key) };
    },
  };
}
