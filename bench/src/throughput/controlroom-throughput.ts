import { runWorker, type WorkerClient } from "@controlroom/executor-kit";
import type { ControlRoomClient } from "@controlroom/sdk";
import {
  createRunsInSql,
  noopExecutor,
  noopRun,
  phaseNames,
  startControlRoomHarness,
} from "../control-room/control-room-harness.js";
import { measureProcessing, type ThroughputResult } from "./throughput-result.js";

/** Arguments of {@link controlroomThroughput}. */
export interface ControlRoomThroughputArgs {
  databaseUrl: string;
  /** Phases in total (rounded down to whole runs). */
  phases: number;
  /** Independent phases per run. */
  phasesPerRun: number;
  /** `ctx.log.info` calls (LOG events) per phase. */
  eventsPerPhase: number;
  /** `runWorker()` loops in the worker process. */
  workers: number;
  /** `concurrency` of each loop. */
  concurrency: number;
  /** Stop timing after this long and report the rate over the jobs done. */
  budgetMs: number;
  /** Batch claims and completes (the default worker); false: one request per claim and complete. */
  batching: boolean;
}

/**
 * Enqueues `phases` no-op phases as runs (in SQL, see `createRunsInSql`), then starts the workers
 * (executor-kit `runWorker`, SDK over HTTP) and times them until the database shows
 * every phase succeeded. The control plane runs in its own process; this process is
 * the worker process.
 */
export async function controlroomThroughput(
  args: ControlRoomThroughputArgs,
): Promise<ThroughputResult> {
  const harness = await startControlRoomHarness(args.databaseUrl);
  const stop = new AbortController();
  try {
    const names = phaseNames(args.phasesPerRun);
    const runs = Math.max(1, Math.floor(args.phases / args.phasesPerRun));
    const enqueueStart = performance.now();
    await createRunsInSql(args.databaseUrl, noopRun(names, "throughput"), runs);
    const enqueueSeconds = (performance.now() - enqueueStart) / 1_000;
    const executor = noopExecutor(names, args.eventsPerPhase);
    const clients = await Promise.all(
      Array.from({ length: args.workers }, () => harness.executorClient()),
    );

    const result = await measureProcessing({
      databaseUrl: args.databaseUrl,
      countSql: "select count(*) as n from ops.phases where status <> 'succeeded'",
      budgetMs: args.budgetMs,
      jobs: runs * args.phasesPerRun,
      enqueueSeconds,
      processes: { server: harness.serverPid },
      start: async () => {
        const workers = clients.map((client) =>
          runWorker(executor, {
            client: args.batching ? client : oneRequestPerPhase(client),
            concurrency: args.concurrency,
            environments: ["dev"],
            logLevel: "silent",
            handleSignals: false,
            signal: stop.signal,
            shutdownGraceMs: 5_000,
          }),
        );
        return async () => {
          stop.abort();
          await Promise.all(workers);
        };
      },
    });
    await harness.stop();
    return result;
  } finally {
    stop.abort();
    await harness.stop().catch(() => undefined);
  }
}

/** The client without its batch methods: the worker then claims and completes one phase per request. */
function oneRequestPerPhase(client: ControlRoomClient): WorkerClient {
  return {
    claims: { claim: (body, options) => client.claims.claim(body, options) },
    leases: {
      heartbeat: (runId, body, options) => client.leases.heartbeat(runId, body, options),
      complete: (runId, body, options) => client.leases.complete(runId, body, options),
    },
    events: { buffer: (runId, options) => client.events.buffer(runId, options) },
    artifacts: { put: (request) => client.artifacts.put(request) },
  };
}
