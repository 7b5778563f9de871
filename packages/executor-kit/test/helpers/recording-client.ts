import type { Lease } from "@controlroom/contract";
import type { WorkerClient } from "../../src/worker/worker-client.js";

/** An error shaped like the SDK's ConnectionError (no response came). */
export function connectionError(): Error {
  return Object.assign(new Error("connect ECONNREFUSED (simulated partition)"), {
    name: "ConnectionError",
  });
}

/**
 * Wraps a client: records every lease it claims and every heartbeat it sends (the
 * run id), and once `partition()` is called
 * fails every claim and heartbeat as if the network were gone (completes and events
 * still go through, so a late complete can be observed).
 */
export function recordingClient(real: WorkerClient) {
  const leases: Lease[] = [];
  const heartbeats: string[] = [];
  let partitioned = false;
  const client: WorkerClient = {
    claims: {
      claim: async (body, options) => {
        if (partitioned) throw connectionError();
        const lease = await real.claims.claim(body, options);
        if (lease) leases.push(lease);
        return lease;
      },
    },
    leases: {
      heartbeat: async (runId, body, options) => {
        if (partitioned) throw connectionError();
        heartbeats.push(runId);
        return real.leases.heartbeat(runId, body, options);
      },
      complete: (runId, body, options) => real.leases.complete(runId, body, options),
    },
    events: { buffer: (runId, options) => real.events.buffer(runId, options) },
    artifacts: { put: (request) => real.artifacts.put(request) },
  };
  return {
    client,
    leases,
    heartbeats,
    partition: () => {
      partitioned = true;
    },
  };
}
