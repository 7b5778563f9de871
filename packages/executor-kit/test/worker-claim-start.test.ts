import { describe, expect, it } from "vitest";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import {
  allEvents,
  createRun,
  startWorker,
  uniqueCapability,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";
import { recordingClient } from "./helpers/recording-client.js";

const cp = useTestControlPlane();

function loggingExecutor(cap: string) {
  return defineExecutor({
    id: "claim-start",
    version: "1.0.0",
    capabilities: [cap],
    phases: {
      work: phase({
        requires: [cap],
        run: (ctx) => {
          ctx.log.info("one");
          ctx.log.info("two");
          return { done: true };
        },
      }),
    },
  });
}

/** A client that claims as a worker would from a server without `start`. */
function withoutClaimStart(real: WorkerClient): WorkerClient {
  return {
    ...real,
    claims: {
      claim: async (body, options) => {
        const { start: _start, ...rest } = body;
        const lease = await real.claims.claim(rest, options);
        if (lease === null) return null;
        const { started: _started, ...older } = lease;
        return older;
      },
    },
  };
}

async function runOnce(client: WorkerClient, cap: string) {
  const executor = loggingExecutor(cap);
  const worker = startWorker(executor, { client });
  const created = await createRun(cp().client, [buildPhaseSpec(executor, "work")]);
  const run = await waitForRun(cp().client, created.run_id);
  await worker.stop();
  const events = await allEvents(cp().client, created.run_id);
  return { run, events };
}

const TRAIL = [
  "RUN_CREATED",
  "RUN_STARTED",
  "PHASE_CLAIMED",
  "PHASE_STARTED",
  "LOG",
  "LOG",
  "PHASE_SUCCEEDED",
  "RUN_SUCCEEDED",
];

describe("a worker's claim starts the attempt", () => {
  it("claims with `start`, sends no first heartbeat, and the trail reads claimed, started, logs, verdict", async () => {
    const cap = uniqueCapability();
    const recorded = recordingClient(cp().createClient("executor"));
    const { run, events } = await runOnce(recorded.client, cap);
    expect(run.status).toBe("succeeded");
    expect(recorded.leases.map((lease) => lease.started)).toEqual([true]);
    // The lease lasts 60 s and heartbeats every 20 s: a short phase sends none.
    expect(recorded.heartbeats).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(TRAIL);
    expect(events.map((e) => e.seq)).toEqual(TRAIL.map((_, index) => index + 1));
  });

  it("heartbeats first when the lease does not say it started (a server without `start`)", async () => {
    const cap = uniqueCapability();
    const recorded = recordingClient(withoutClaimStart(cp().createClient("executor")));
    const { run, events } = await runOnce(recorded.client, cap);
    expect(run.status).toBe("succeeded");
    expect(recorded.leases.map((lease) => lease.started)).toEqual([undefined]);
    expect(recorded.heartbeats).toEqual([run.run_id]);
    expect(events.map((e) => e.type)).toEqual(TRAIL);
  });
});
