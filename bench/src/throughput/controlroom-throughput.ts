import { runWorker } from "@controlroom/executor-kit";
import {
  createRunsInSql,
  noopExecutor,
  noopRun,
  phaseNames,
  startControlRoomHarness,
} from "../control-room/control-room-harness.js";
import { postgresCpuMeter, processCpuMsOf } from "../proc-cpu.js";
import { processCpuMs, type ThroughputResult, waitUntilDone } from "./throughput-result.js";

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

    const postgresCpu = await postgresCpuMeter(args.databaseUrl);
    const cpuBefore = {
      worker: processCpuMs(),
      server: processCpuMsOf(harness.serverPid),
      postgres: postgresCpu?.read() ?? Number.NaN,
    };
    const start = performance.now();
    const workers = clients.map((client) =>
      runWorker(executor, {
        client,
        concurrency: args.concurrency,
        environments: ["dev"],
        logLevel: "silent",
        handleSignals: false,
        signal: stop.signal,
        shutdownGraceMs: 5_000,
      }),
    );
    const left = await waitUntilDone(
      args.databaseUrl,
      "select count(*) as n from ops.phases where status <> 'succeeded'",
      { budgetMs: args.budgetMs },
    );
    const seconds = (performance.now() - start) / 1_000;
    const cpuMs = {
      worker: processCpuMs() - cpuBefore.worker,
      server: processCpuMsOf(harness.serverPid) - cpuBefore.server,
      postgres: (postgresCpu?.read() ?? Number.NaN) - cpuBefore.postgres,
    };
    stop.abort();
    await Promise.all(workers);
    const jobs = runs * args.phasesPerRun - left;
    await harness.stop();
    return {
      jobs,
      complete: left === 0,
      seconds,
      jobsPerSecond: jobs / seconds,
      enqueueSeconds,
      cpuMs,
    };
  } finally {
    stop.abort();
    await harness.stop().catch(() => undefined);
  }
}
