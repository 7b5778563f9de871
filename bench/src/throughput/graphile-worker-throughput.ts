import { Logger, makeWorkerUtils, run } from "graphile-worker";
import { measureProcessing, type ThroughputResult } from "./throughput-result.js";

/** Arguments of {@link graphileWorkerThroughput}. */
export interface GraphileWorkerThroughputArgs {
  databaseUrl: string;
  jobs: number;
  /** Jobs run at once by the one worker process. */
  concurrency: number;
  /** Stop timing after this long and report the rate over the jobs done. */
  budgetMs: number;
}

/** graphile-worker's logger, silenced as ours is (no line per job on the terminal). */
export const silentGraphileLogger = new Logger(() => () => undefined);

/**
 * Enqueues `jobs` no-op jobs with `addJobs` (in batches), then starts one graphile-worker
 * runner with `concurrency` and times it until its job table is empty (a job row is
 * deleted when the job succeeds).
 */
export async function graphileWorkerThroughput(
  args: GraphileWorkerThroughputArgs,
): Promise<ThroughputResult> {
  const connectionString = args.databaseUrl;
  const utils = await makeWorkerUtils({ connectionString, logger: silentGraphileLogger });
  try {
    await utils.migrate();
    const enqueueStart = performance.now();
    for (let done = 0; done < args.jobs; done += 5_000) {
      const count = Math.min(5_000, args.jobs - done);
      await utils.addJobs(
        Array.from({ length: count }, () => ({ identifier: "noop", payload: {} })),
      );
    }
    const enqueueSeconds = (performance.now() - enqueueStart) / 1_000;

    return await measureProcessing({
      databaseUrl: connectionString,
      countSql: "select count(*) as n from graphile_worker._private_jobs",
      budgetMs: args.budgetMs,
      jobs: args.jobs,
      enqueueSeconds,
      start: async () => {
        const runner = await run({
          connectionString,
          concurrency: args.concurrency,
          // Its pool must hold a connection per job at once plus the listener.
          maxPoolSize: args.concurrency + 2,
          noHandleSignals: true,
          logger: silentGraphileLogger,
          taskList: { noop: async () => undefined },
        });
        return () => runner.stop();
      },
    });
  } finally {
    await utils.release();
  }
}
