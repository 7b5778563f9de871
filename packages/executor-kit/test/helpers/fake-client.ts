import type {
  Artifact,
  CompleteRequest,
  HeartbeatResponse,
  Lease,
  Run,
} from "@controlroom/contract";
import type { WorkerClient, WorkerEventDraft } from "../../src/worker/worker-client.js";

/** A lease for tests: phase `name`, run `runId`, short heartbeat interval. */
export function fakeLease(name: string, overrides: Partial<Lease> = {}): Lease {
  const run_id = overrides.run_id ?? crypto.randomUUID();
  return {
    lease_token: crypto.randomUUID(),
    run_id,
    phase: name,
    attempt: 1,
    expires_at: new Date(Date.now() + 60_000).toISOString(),
    heartbeat_interval_ms: 50,
    spec_slug: "fake",
    git_sha: "0".repeat(40),
    environment: "dev",
    input_manifest: {},
    phase_spec: {
      name,
      kind: "custom",
      depends_on: [],
      timeout_seconds: 3_600,
      retry: {
        max_attempts: 3,
        initial_interval_ms: 0,
        backoff_coefficient: 2,
        max_interval_ms: 0,
      },
      requires: [],
      params: {},
    },
    upstream_outputs: {},
    ...overrides,
  };
}

/** An error shaped like the SDK's HTTP errors. */
export function httpError(status: number, code: string, retryAfterMs?: number): Error {
  return Object.assign(new Error(`${status} ${code}`), {
    status,
    code,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * A scripted stand-in for the SDK client: hands out queued leases (long-polling like
 * the server), answers heartbeats, and records every call.
 */
export class FakeClient implements WorkerClient {
  readonly leases_queue: Lease[] = [];
  readonly claimCalls: { at: number; request_id: string | undefined }[] = [];
  readonly completes: { runId: string; body: CompleteRequest; at: number }[] = [];
  readonly heartbeats: { runId: string; at: number }[] = [];
  readonly sentEvents: (WorkerEventDraft & { runId: string })[] = [];
  /** Thrown by the next claims, in order. */
  claimErrors: unknown[] = [];
  /** Thrown by every claim while set. */
  claimErrorAlways: unknown;
  /** Runs whose heartbeats answer cancel_requested. */
  readonly cancelled = new Set<string>();
  /** Runs whose heartbeats fail with lease_lost. */
  readonly lost = new Set<string>();
  #waiters: (() => void)[] = [];

  push(...leases: Lease[]): void {
    this.leases_queue.push(...leases);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  claims = {
    claim: async (
      body: { request_id?: string | undefined; wait_ms?: number | undefined },
      options: { signal?: AbortSignal | undefined } = {},
    ): Promise<Lease | null> => {
      this.claimCalls.push({ at: Date.now(), request_id: body.request_id });
      if (this.claimErrorAlways !== undefined) throw this.claimErrorAlways;
      if (this.claimErrors.length > 0) throw this.claimErrors.shift();
      const deadline = Date.now() + (body.wait_ms ?? 0);
      while (this.leases_queue.length === 0) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        options.signal?.throwIfAborted();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          const wake = () => {
            clearTimeout(timer);
            resolve();
          };
          this.#waiters.push(wake);
          options.signal?.addEventListener("abort", wake, { once: true });
        });
        options.signal?.throwIfAborted();
      }
      return this.leases_queue.shift() ?? null;
    },
  };

  leases = {
    heartbeat: async (runId: string): Promise<HeartbeatResponse> => {
      this.heartbeats.push({ runId, at: Date.now() });
      if (this.lost.has(runId)) throw httpError(409, "lease_lost");
      return {
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        cancel_requested: this.cancelled.has(runId),
      };
    },
    complete: async (runId: string, body: CompleteRequest): Promise<Run> => {
      this.completes.push({ runId, body, at: Date.now() });
      return {} as Run;
    },
  };

  events = {
    buffer: (runId: string) => ({
      push: (draft: WorkerEventDraft) => {
        this.sentEvents.push({ ...draft, runId });
      },
      flush: async () => undefined,
      close: async () => undefined,
    }),
  };

  artifacts = {
    put: async (): Promise<Artifact> => {
      throw new Error("not faked");
    },
  };
}
