import { createHash } from "node:crypto";

/** A stream that hashes and counts its chunks as they pass, read once. */
export interface HashingTap {
  chunks: AsyncIterable<Uint8Array>;
  /** The SHA-256 (hex) and size of everything read; valid once `chunks` is exhausted. */
  digest(): { sha256: string; sizeBytes: number };
}

/**
 * Wraps `source` so that the SDK computes the SHA-256 itself while a storage consumes
 * the bytes: the hash it registers never depends on the storage's arithmetic, and
 * the bytes are read only once. Checks `signal` between chunks.
 */
export function hashingTap(
  source: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): HashingTap {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  let finished = false;
  let sha256: string | undefined;
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of source) {
          signal?.throwIfAborted();
          hash.update(chunk);
          sizeBytes += chunk.byteLength;
          yield chunk;
        }
        finished = true;
      },
    },
    digest() {
      if (!finished) throw new Error("artifact stream was not read to its end");
      sha256 ??= hash.digest("hex");
      return { sha256, sizeBytes };
    },
  };
}
