import { createHash } from "node:crypto";
import type { Artifact } from "@controlroom/contract";
import type { UiLake } from "./ui-lake.js";

/** Why {@link readArtifactContent} could not return the bytes. */
export type ArtifactContentFailure =
  | { reason: "outside_lake" }
  | { reason: "too_large"; maxBytes: number }
  | { reason: "missing" }
  | { reason: "hash_mismatch" };

/**
 * The bytes of an artifact, read from the lake and checked against its SHA-256: an
 * artifact is content-addressed, so bytes that do not hash to its name are not it
 * (a half-written or replaced file) and are refused rather than shown. Artifacts
 * larger than `maxBytes` are refused before anything is read, since the UI only shows
 * query texts, manifests and previews.
 *
 * @example
 * ```ts
 * const result = await readArtifactContent(lake, artifact, 4 * 1024 * 1024);
 * if ("bytes" in result) show(result.bytes);
 * ```
 */
export async function readArtifactContent(
  lake: UiLake,
  artifact: Pick<Artifact, "sha256" | "size_bytes" | "uri">,
  maxBytes: number,
): Promise<{ bytes: Uint8Array } | ArtifactContentFailure> {
  const key = lake.keyOfUri(artifact.uri);
  if (key === undefined) return { reason: "outside_lake" };
  if (artifact.size_bytes > maxBytes) return { reason: "too_large", maxBytes };
  const bytes = await lake.store.get(key);
  if (bytes === undefined) return { reason: "missing" };
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== artifact.sha256) return { reason: "hash_mismatch" };
  return { bytes };
}
