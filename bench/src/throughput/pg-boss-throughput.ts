import { PgBoss } from "pg-boss";
import { measureProcessing, type ThroughputResult } from "./throughput-result.js";

/** Arguments of {@link pgBossThroughput}. */
export interface PgBossThroughputArgs {
  databaseUrl: string;
  jobs: number;
  /** Polling workers (`localConcurrency`). */
  localConcurrency: number;
  /** Jobs fetched (and completed) per query by each of them (`batchSize`). */
  batchSize: number;
  /** Stop timing after this long and report the rate over the jobs done. */
  budgetMs: number;
}

const QUEUE = "noop";

/**
 * Enqueues `jobs` no-op jobs with `insert` (in batches), then starts `work()` with
 * `localConcurrency` pollers fetching `batchSize` jobs at a time and fetching again at
 * once while batches come back full (`burstWhenBatchFull`), and times it until no job
 * is left uncompleted. Cron, maintenance and LISTEN/NOTIFY are off: none of them helps
 * a queue that is already full.
 */
export async function pgBossThroughput(args: PgBossThroughputArgs): Promise<ThroughputResult> {
  const boss = new PgBoss({
    connectionString: args.databaseUrl,
    schema: "pgboss",
    schedule: false,
    supervise: false,
    max: args.localConcurrency + 2,
  });
  boss.on("error", (error: unknown) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  try {
    await boss.createQueue(QUEUE);
    const enqueueStart = performance.now();
    for (let done = 0; done < args.jobs; done += 5_000) {
      const count = Math.min(5_000, args.jobs - done);
      await boss.insert(
        QUEUE,
        Array.from({ length: count }, () => ({ data: {} })),
      );
    }
    const enqueueSeconds = (performance.now() - enqueueStart) / 1_000;

    return await measureProcessing({
      databaseUrl: args.databaseUrl,
      countSql: "select count(*) as n from pgboss.job where state <> 'completed'",
      budgetMs: args.budgetMs,
      jobs: args.jobs,
      enqueueSeconds,
      start: async () => {
        await boss.work(
          QUEUE,
          {
            localConcurrency: args.localConcurrency,
            batchSize: args.batchSize,
            burstWhenBatchFull: true,
            pollingIntervalSeconds: 0.5,
          },
          async () => undefined,
        );
        // Stopped with the boss below.
        return async () => undefined;
      },
    });
  } finally {
    await boss.stop({ graceful: false, timeout: 5_000 });
  }
}
