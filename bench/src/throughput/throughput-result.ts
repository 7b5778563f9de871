import postgres from "postgres";
import { postgresCpuMeter, processCpuMsOf } from "../proc-cpu.js";

/** What one throughput measurement reports. */
export interface ThroughputResult {
  /** Jobs (phases) done within the time budget (all of them unless `complete` is false). */
  jobs: number;
  /** False when the time budget ran out first: the rate is then over the jobs done. */
  complete: boolean;
  /** Seconds from starting the workers to the database showing every job done. */
  seconds: number;
  jobsPerSecond: number;
  /** Seconds spent enqueueing beforehand (not part of `seconds`). */
  enqueueSeconds: number;
  /** CPU milliseconds of each process involved, while processing (not enqueueing). */
  cpuMs: Record<string, number>;
}

/**
 * Polls `countSql` (a query returning one row with a numeric column `n`, the jobs not
 * yet done) every `intervalMs` until it is 0 or `budgetMs` has passed, on a connection
 * of its own, and returns how many were left (0: all done). Every contender is timed
 * this way, so the same 50 ms granularity applies to all.
 */
export async function waitUntilDone(
  databaseUrl: string,
  countSql: string,
  options: { intervalMs?: number; budgetMs: number },
): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  const deadline = Date.now() + options.budgetMs;
  try {
    for (;;) {
      const [row] = await sql.unsafe<{ n: string | number }[]>(countSql);
      const left = Number(row?.n ?? 0);
      if (left === 0 || Date.now() > deadline) return left;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** User + system CPU time of this process so far, in milliseconds. */
export function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1_000;
}

/** What {@link measureProcessing} times. */
export interface ProcessingMeasurement {
  databaseUrl: string;
  /** Counts the jobs not done yet (see {@link waitUntilDone}). */
  countSql: string;
  budgetMs: number;
  /** Jobs queued beforehand. */
  jobs: number;
  enqueueSeconds: number;
  /** Other processes whose CPU time counts (e.g. our server), by name. */
  processes?: Record<string, number>;
  /** Starts the workers; resolves with what stops them. */
  start(): Promise<() => Promise<unknown>>;
}

/**
 * The one way every contender is timed: CPU counters read, the clock started, the
 * workers started, the database polled until no job is left (or the budget is over),
 * the clock and counters read again, the workers stopped.
 */
export async function measureProcessing(m: ProcessingMeasurement): Promise<ThroughputResult> {
  const postgresCpu = await postgresCpuMeter(m.databaseUrl);
  const others = Object.entries(m.processes ?? {});
  const readCpu = (): Record<string, number> => ({
    worker: processCpuMs(),
    ...Object.fromEntries(others.map(([name, pid]) => [name, processCpuMsOf(pid)])),
    postgres: postgresCpu?.read() ?? Number.NaN,
  });
  const before = readCpu();
  const start = performance.now();
  const stop = await m.start();
  try {
    const left = await waitUntilDone(m.databaseUrl, m.countSql, { budgetMs: m.budgetMs });
    const seconds = (performance.now() - start) / 1_000;
    const after = readCpu();
    const jobs = m.jobs - left;
    return {
      jobs,
      complete: left === 0,
      seconds,
      jobsPerSecond: jobs / seconds,
      enqueueSeconds: m.enqueueSeconds,
      cpuMs: Object.fromEntries(
        Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? Number.NaN)]),
      ),
    };
  } finally {
    await stop();
  }
}
