import { createHash } from "node:crypto";
import {
  type Artifact,
  ArtifactSchema,
  type JsonObject,
  type RegisterArtifactRequest,
} from "@controlroom/contract";
import type { ArtifactStorage } from "../artifact-storage.js";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";

/** Bytes to store: a string (UTF-8), bytes, or a stream of chunks. */
export type ArtifactData =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>;

/** What {@link ArtifactsResource.put} takes. */
export interface PutArtifactRequest extends CallOptions {
  data: ArtifactData;
  mediaType: string;
  /** Where the bytes go. */
  storage: ArtifactStorage;
  /** Link the artifact to a run (and phase) under a name. */
  link?: { run_id: string; phase?: string | null | undefined; name: string } | undefined;
  metadata?: JsonObject | undefined;
}

/**
 * Artifacts: immutable, content-addressed blobs linked to runs.
 *
 * @example
 * ```ts
 * const artifact = await client.artifacts.put({
 *   data: JSON.stringify(manifest), mediaType: "application/json",
 *   storage: localArtifactStorage("./data"), link: { run_id, phase: "publish", name: "manifest.json" },
 * });
 * ```
 */
export class ArtifactsResource {
  readonly #http: HttpTransport;
  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Registers bytes stored elsewhere; the same sha and size again is a no-op. */
  async register(body: RegisterArtifactRequest, options: CallOptions = {}): Promise<Artifact> {
    const { data } = await this.#http.send({
      method: "POST",
      path: "/ops/artifacts",
      body,
      schema: ArtifactSchema,
      signal: options.signal,
    });
    return data!;
  }

  /** An artifact with every run that links it. */
  async get(sha256: string, options: CallOptions = {}): Promise<Artifact> {
    const { data } = await this.#http.send({
      method: "GET",
      path: `/ops/artifacts/${encodeURIComponent(sha256)}`,
      schema: ArtifactSchema,
      signal: options.signal,
    });
    return data!;
  }

  /**
   * Stores bytes content-addressed (hashing them as they stream), then registers and
   * links them in one call. Storing is idempotent by hash, and registering by sha and
   * size, so the whole call is safe to repeat.
   */
  async put(request: PutArtifactRequest): Promise<Artifact> {
    const { storage, mediaType, signal } = request;
    let stored: { sha256: string; sizeBytes: number; uri: string };
    if (typeof request.data === "string" || request.data instanceof Uint8Array) {
      const bytes =
        typeof request.data === "string" ? new TextEncoder().encode(request.data) : request.data;
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const { uri } = await storage.put({ sha256, data: bytes, mediaType, signal });
      stored = { sha256, sizeBytes: bytes.byteLength, uri };
    } else if (storage.putStream) {
      stored = await storage.putStream({ data: toAsyncIterable(request.data), mediaType, signal });
    } else {
      const hash = createHash("sha256");
      const chunks: Uint8Array[] = [];
      for await (const chunk of toAsyncIterable(request.data)) {
        hash.update(chunk);
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks);
      const sha256 = hash.digest("hex");
      const { uri } = await storage.put({ sha256, data: bytes, mediaType, signal });
      stored = { sha256, sizeBytes: bytes.byteLength, uri };
    }
    return this.register(
      {
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        media_type: mediaType,
        uri: stored.uri,
        ...(request.metadata ? { metadata: request.metadata } : {}),
        ...(request.link ? { link: request.link } : {}),
      },
      { signal },
    );
  }
}

function toAsyncIterable(
  data: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in data) return data as AsyncIterable<Uint8Array>;
  const stream = data as ReadableStream<Uint8Array>;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}
