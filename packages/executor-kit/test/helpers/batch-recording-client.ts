import type { Completion } from "@controlroom/contract";
import type { ControlRoomClient } from "@controlroom/sdk";
import type { WorkerClient } from "../../src/worker/worker-client.js";

/** One claim request the worker made, and how many leases it got (once answered). */
export interface RecordedClaim {
  kind: "single" | "batch";
  maxLeases: number | undefined;
  leases: number | undefined;
}

/** Options of {@link batchRecordingClient}. */
export interface BatchRecordingOptions {
  /**
   * Expose `claims.claimBatch` and `leases.completeBatch` (as the SDK does); without
   * them the wrapper looks like a client written before the batch endpoints.
   * @default true
   */
  batch?: boolean;
  /** Changes a completion before it is sent (single or batched), e.g. its token. */
  tamper?: (completion: Completion) => Completion;
}

/**
 * Wraps an SDK client for a worker and records every claim request (single or batch,
 * with the leases it got) and every complete request: each `completeBatch` call with
 * its completions, and each single `complete`.
 */
export function batchRecordingClient(real: ControlRoomClient, options: BatchRecordingOptions = {}) {
  const batch = options.batch ?? true;
  const tamper = options.tamper ?? ((completion: Completion) => completion);
  const claims: RecordedClaim[] = [];
  const completeBatches: Completion[][] = [];
  const singleCompletes: string[] = [];
  const client: WorkerClient = {
    claims: {
      claim: async (body, callOptions) => {
        const record: RecordedClaim = { kind: "single", maxLeases: undefined, leases: undefined };
        claims.push(record);
        const lease = await real.claims.claim(body, callOptions);
        record.leases = lease ? 1 : 0;
        return lease;
      },
      ...(batch
        ? {
            claimBatch: async (body, callOptions) => {
              const record: RecordedClaim = {
                kind: "batch",
                maxLeases: body.max_leases,
                leases: undefined,
              };
              claims.push(record);
              const leases = await real.claims.claimBatch(body, callOptions);
              record.leases = leases.length;
              return leases;
            },
          }
        : {}),
    } satisfies WorkerClient["claims"],
    leases: {
      heartbeat: (runId, body, callOptions) => real.leases.heartbeat(runId, body, callOptions),
      complete: (runId, body, callOptions) => {
        singleCompletes.push(runId);
        const { run_id: _runId, ...changed } = tamper({ ...body, run_id: runId });
        return real.leases.complete(runId, changed, callOptions);
      },
      ...(batch
        ? {
            completeBatch: async (completions, callOptions) => {
              completeBatches.push(completions);
              const results = await real.leases.completeBatch(completions.map(tamper), callOptions);
              // The server echoes the token it got: give the worker back its own.
              return results.map((result, index) => ({
                ...result,
                lease_token: completions[index]?.lease_token ?? result.lease_token,
              }));
            },
          }
        : {}),
    } satisfies WorkerClient["leases"],
    events: { buffer: (runId, bufferOptions) => real.events.buffer(runId, bufferOptions) },
    artifacts: { put: (request) => real.artifacts.put(request) },
  };
  return { client, claims, completeBatches, singleCompletes };
}
