import type {
  Artifact,
  ClaimBatchRequest,
  ClaimRequest,
  CompleteRequest,
  Completion,
  CompletionClaim,
  CompletionResult,
  EventInput,
  HeartbeatRequest,
  HeartbeatResponse,
  JsonObject,
  Lease,
  Run,
} from "@controlroom/contract";
import type { ArtifactStorage } from "@controlroom/sdk";

/** An event as the worker hands it to the SDK's event buffer. */
export type WorkerEventDraft = Omit<EventInput, "event_id" | "ts"> & {
  event_id?: string;
  ts?: string;
};

/** The part of the SDK's event buffer the worker uses. */
export interface WorkerEventBuffer {
  push(draft: WorkerEventDraft): void;
  flush(): Promise<unknown>;
  close(): Promise<unknown>;
  /**
   * Removes and returns the events the server has not accepted (after a send in
   * progress), for the worker to carry in the attempt's completion. Without it, the
   * worker flushes the buffer before completing.
   */
  take?(): Promise<EventInput[]>;
}

/** The artifact request the worker makes (the SDK stores, hashes and registers). */
export interface WorkerArtifactPut {
  data: Uint8Array;
  mediaType: string;
  storage: ArtifactStorage;
  link?: { run_id: string; phase: string; name: string };
  metadata?: JsonObject;
  signal?: AbortSignal;
}

/**
 * The subset of `ControlRoomClient` (from `@controlroom/sdk`) that a worker calls,
 * typed structurally so that tests can wrap or fake a client. Pass a real
 * `ControlRoomClient`.
 *
 * @example
 * ```ts
 * import { ControlRoomClient } from "@controlroom/sdk";
 * const client: WorkerClient = new ControlRoomClient({ baseUrl, token });
 * ```
 */
export interface WorkerClient {
  claims: {
    claim(
      body: Omit<ClaimRequest, "request_id"> & { request_id?: string },
      options?: { signal?: AbortSignal },
    ): Promise<Lease | null>;
    /** Claims up to `max_leases` phases; `[]` when none became runnable within `wait_ms`. */
    claimBatch?(
      body: Omit<ClaimBatchRequest, "request_id"> & { request_id?: string },
      options?: { signal?: AbortSignal },
    ): Promise<Lease[]>;
  };
  leases: {
    heartbeat(
      runId: string,
      body: HeartbeatRequest,
      options?: { signal?: AbortSignal },
    ): Promise<HeartbeatResponse>;
    complete(
      runId: string,
      body: CompleteRequest,
      options?: { signal?: AbortSignal },
    ): Promise<Run>;
    /** Completes several attempts in one request: one result per completion, in order. */
    completeBatch?(
      completions: Completion[],
      options?: { signal?: AbortSignal },
    ): Promise<CompletionResult[]>;
    /**
     * Completes several attempts, then claims in the same request (and transaction):
     * one result per completion, and the claim's leases (`undefined` from a server that
     * ignored the claim).
     */
    completeAndClaim?(
      completions: Completion[],
      claim: Omit<CompletionClaim, "request_id"> & { request_id?: string },
      options?: { signal?: AbortSignal },
    ): Promise<{ results: CompletionResult[]; leases?: Lease[] | undefined }>;
  };
  events: {
    buffer(
      runId: string,
      options?: {
        maxBatch?: number;
        flushIntervalMs?: number;
        onError?: (error: unknown) => void;
      },
    ): WorkerEventBuffer;
  };
  artifacts: {
    put(request: WorkerArtifactPut): Promise<Artifact>;
  };
}
