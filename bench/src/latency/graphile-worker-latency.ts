import { makeWorkerUtils, run } from "graphile-worker";
import { silentGraphileLogger } from "../throughput/graphile-worker-throughput.js";
import { Arrivals, idlePause, type LatencyResult } from "./latency-result.js";

/** Arguments of {@link graphileWorkerLatency}. */
export interface GraphileWorkerLatencyArgs {
  databaseUrl: string;
  jobs: number;
  warmup: number;
}

/**
 * Adds jobs one after another with `addJob` (the `graphile_worker.add_job` SQL function)
 * and times each from just before the call to the task function starting in a runner of
 * concurrency 1, which waits for jobs on LISTEN/NOTIFY. The next job is added once the
 * runner reports the job complete and a short pause has passed.
 */
export async function graphileWorkerLatency(
  args: GraphileWorkerLatencyArgs,
): Promise<LatencyResult> {
  const connectionString = args.databaseUrl;
  const utils = await makeWorkerUtils({ connectionString, logger: silentGraphileLogger });
  const started = new Arrivals();
  const completed = new Arrivals();
  try {
    await utils.migrate();
    const runner = await run({
      connectionString,
      concurrency: 1,
      noHandleSignals: true,
      logger: silentGraphileLogger,
      taskList: {
        noop: async (payload) => {
          started.arrive(String((payload as { i: number }).i));
        },
      },
    });
    runner.events.on("job:complete", ({ job }) => {
      completed.arrive(String((job.payload as { i: number }).i));
    });
    try {
      const result: LatencyResult = { enqueueToStart: [], enqueueCall: [] };
      for (let i = 0; i < args.warmup + args.jobs; i++) {
        await idlePause();
        const before = performance.now();
        await utils.addJob("noop", { i });
        const added = performance.now();
        const startedAt = await started.when(String(i));
        await completed.when(String(i));
        if (i < args.warmup) continue;
        result.enqueueToStart.push(startedAt - before);
        result.enqueueCall.push(added - before);
      }
      return result;
    } finally {
      await runner.stop();
    }
  } finally {
    await utils.release();
  }
}
