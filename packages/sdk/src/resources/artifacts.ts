import { createHash } from "node:crypto";
import type { Artifact, JsonObject, RegisterArtifactRequest } from "@controlroom/contract";
import type { ArtifactStorage } from "../artifact-storage.js";
import type { CallOptions } from "../client-options.js";
import { hashingTap } from "../internal/hashing-tap.js";
import type { HttpTransport } from "../internal/http-transport.js";
import { toAsyncIterable } from "../internal/to-async-iterable.js";

/**
 * Bytes to store: a string (UTF-8), bytes, or a stream of chunks (an async iterable
 * such as a Node `Readable`, or a web `ReadableStream`), read once.
 *
 * @example
 * ```ts
 * const data: ArtifactData = createReadStream("out/report.parquet");
 * ```
 */
export type ArtifactData =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>;

/**
 * What {@link ArtifactsResource.put} takes.
 *
 * @example
 * ```ts
 * const request: PutArtifactRequest = {
 *   data: "a,b\n", mediaType: "text/csv", storage: localArtifactStorage("./data"),
 *   link: { run_id, phase: "publish", name: "preview.csv" }, metadata: { rows: 1 },
 * };
 * ```
 */
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
    return this.#http.send({ endpoint: "registerArtifact", body, signal: options.signal });
  }

  /** An artifact with every run that links it. */
  async get(sha256: string, options: CallOptions = {}): Promise<Artifact> {
    return this.#http.send({
      endpoint: "getArtifact",
      params: { sha256 },
      signal: options.signal,
    });
  }

  /**
   * Stores bytes content-addressed and registers (and links) them in one call. The
   * SDK computes the SHA-256 as the bytes stream by; a stream is read once (straight
   * into `storage.putStream` when the storage has it, else into memory and then
   * `storage.put`). Storing is put-if-absent by hash and registering is idempotent by
   * sha and size, so the whole call is safe to repeat.
   */
  async put(request: PutArtifactRequest): Promise<Artifact> {
    const { storage, mediaType, signal } = request;
    signal?.throwIfAborted();
    let stored: { sha256: string; sizeBytes: number; uri: string };
    if (typeof request.data === "string" || request.data instanceof Uint8Array) {
      const bytes =
        typeof request.data === "string" ? new TextEncoder().encode(request.data) : request.data;
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const { uri } = await storage.put({ sha256, data: bytes, mediaType, signal });
      stored = { sha256, sizeBytes: bytes.byteLength, uri };
    } else if (storage.putStream) {
      const tap = hashingTap(toAsyncIterable(request.data), signal);
      const result = await storage.putStream({ data: tap.chunks, mediaType, signal });
      const seen = tap.digest();
      if (result.sha256 !== seen.sha256 || result.sizeBytes !== seen.sizeBytes) {
        throw new Error(
          `artifact storage reported ${result.sha256} (${result.sizeBytes} bytes) for bytes hashing to ${seen.sha256} (${seen.sizeBytes} bytes)`,
        );
      }
      stored = { ...seen, uri: result.uri };
    } else {
      const tap = hashingTap(toAsyncIterable(request.data), signal);
      const chunks: Uint8Array[] = [];
      for await (const chunk of tap.chunks) chunks.push(chunk);
      const { sha256, sizeBytes } = tap.digest();
      const { uri } = await storage.put({ sha256, data: Buffer.concat(chunks), mediaType, signal });
      stored = { sha256, sizeBytes, uri };
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
