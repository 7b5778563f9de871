import type { JsonObject } from "@controlroom/contract";
import type { StoredArtifact } from "../context/phase-context.js";

/** One artifact to store, register and link. */
export interface ArtifactRequest {
  name: string;
  data: Uint8Array;
  mediaType: string;
  metadata: JsonObject;
  signal: AbortSignal;
}

/** Stores artifacts for a context: the SDK and an ObjectStore, or a test's memory. */
export type ArtifactSink = (request: ArtifactRequest) => Promise<StoredArtifact>;
