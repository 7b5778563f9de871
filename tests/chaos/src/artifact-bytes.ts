import { createHash } from "node:crypto";

/**
 * The bytes a chaos phase stores as its artifact: derived only from the run, the phase
 * and the upstream artifacts' hashes, so every attempt of a phase stores the same bytes
 * (a second attempt re-registers the same link instead of conflicting with the first)
 * and the checker can recompute them. Between 1 byte and `maxBytes`.
 */
export function artifactBytes(
  runId: string,
  phase: string,
  upstreamSha256s: readonly string[],
  maxBytes: number,
): Uint8Array {
  const seed = createHash("sha256")
    .update(`${runId}/${phase}/${[...upstreamSha256s].sort().join(",")}`)
    .digest();
  const size = 1 + (seed.readUInt32BE(0) % maxBytes);
  const bytes = Buffer.alloc(size);
  // SHA-256 in counter mode: cheap, deterministic, incompressible.
  for (let offset = 0, block = 0; offset < size; offset += 32, block++) {
    createHash("sha256").update(seed).update(String(block)).digest().copy(bytes, offset);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, size);
}
