import { runWorker, type WorkerClient } from "@controlroom/executor-kit";
import postgres from "postgres";
import {
  noopExecutor,
  noopRun,
  phaseNames,
  startControlRoomHarness,
} from "../control-room/control-room-harness.js";
import { Arrivals, idlePause, type LatencyResult } from "./latency-result.js";

/** Arguments of {@link controlroomLatency}. */
export interface ControlRoomLatencyArgs {
  databaseUrl: string;
  runs: number;
  /** Runs before the timed ones, to warm up connections and JIT. */
  warmup: number;
}

/**
 * Creates one-phase runs one after another through `POST /ops/runs` and times each from
 * just before the create call to the phase function starting in a `runWorker()` worker
 * (concurrency 1, default `claimWaitMs`, so it waits in a long-poll the server wakes on
 * the database's NOTIFY). The next run is created once the phase has completed and a
 * short pause has passed, so every run meets an idle worker.
 */
export async function controlroomLatency(args: ControlRoomLatencyArgs): Promise<LatencyResult> {
  const harness = await startControlRoomHarness(args.databaseUrl);
  const stop = new AbortController();
  try {
    const names = phaseNames(1);
    const started = new Arrivals();
    const completed = new Arrivals();
    const executor = noopExecutor(names, 0, (runId) => started.arrive(runId));
    const client = await harness.executorClient();
    // Sees each complete come back, so the next run starts on an idle system.
    const watched: WorkerClient = {
      claims: client.claims,
      events: client.events,
      artifacts: client.artifacts,
      leases: {
        heartbeat: (...a) => client.leases.heartbeat(...a),
        complete: async (...a) => {
          const run = await client.leases.complete(...a);
          completed.arrive(a[0]);
          return run;
        },
      },
    };
    const worker = runWorker(executor, {
      client: watched,
      concurrency: 1,
      environments: ["dev"],
      logLevel: "silent",
      handleSignals: false,
      signal: stop.signal,
    });
    const result: LatencyResult = { enqueueToStart: [], enqueueCall: [] };
    // Wall-clock (epoch ms) marks, to line up with the server's event timestamps.
    const marks: { runId: string; before: number; startedAt: number }[] = [];
    for (let i = 0; i < args.warmup + args.runs; i++) {
      await idlePause();
      const beforeEpoch = Date.now();
      const before = performance.now();
      const run = await harness.operator.runs.create(noopRun(names, "latency"));
      const created = performance.now();
      const startedAt = await started.when(run.run_id);
      await completed.when(run.run_id);
      if (i < args.warmup) continue;
      result.enqueueToStart.push(startedAt - before);
      result.enqueueCall.push(created - before);
      marks.push({
        runId: run.run_id,
        before: beforeEpoch,
        startedAt: beforeEpoch + (startedAt - before),
      });
    }
    stop.abort();
    await worker;
    result.breakdown = await breakdown(args.databaseUrl, marks);
    return result;
  } finally {
    stop.abort();
    await harness.stop().catch(() => undefined);
  }
}

/**
 * Splits each run's latency at the events the server wrote (their `ts` is the database
 * clock when the step ran, on this same machine): request → RUN_CREATED, → PHASE_CLAIMED
 * (NOTIFY, long-poll wake-up, claim), → PHASE_STARTED (written by the same claim), → the
 * phase function (the claim's response, dispatch).
 */
async function breakdown(
  databaseUrl: string,
  marks: { runId: string; before: number; startedAt: number }[],
): Promise<Record<string, number[]>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ run_id: string; type: string; ms: number }[]>`
      select run_id::text, type, extract(epoch from ts) * 1000 as ms from ops.run_events
       where type in ('RUN_CREATED', 'PHASE_CLAIMED', 'PHASE_STARTED')
         and run_id = any(${marks.map((m) => m.runId)}::uuid[])`;
    const at = new Map(rows.map((r) => [`${r.run_id}/${r.type}`, Number(r.ms)]));
    const steps: Record<string, number[]> = {
      "request → RUN_CREATED": [],
      "RUN_CREATED → PHASE_CLAIMED": [],
      "PHASE_CLAIMED → PHASE_STARTED": [],
      "PHASE_STARTED → phase function": [],
    };
    for (const mark of marks) {
      const created = at.get(`${mark.runId}/RUN_CREATED`);
      const claimed = at.get(`${mark.runId}/PHASE_CLAIMED`);
      const startedEvent = at.get(`${mark.runId}/PHASE_STARTED`);
      if (created === undefined || claimed === undefined || startedEvent === undefined) continue;
      steps["request → RUN_CREATED"]?.push(created - mark.before);
      steps["RUN_CREATED → PHASE_CLAIMED"]?.push(claimed - created);
      steps["PHASE_CLAIMED → PHASE_STARTED"]?.push(startedEvent - claimed);
      steps["PHASE_STARTED → phase function"]?.push(mark.startedAt - startedEvent);
    }
    return steps;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
