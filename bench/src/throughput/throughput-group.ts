import { runTask } from "../child-process.js";
import { alternate, type Contender, type GroupContext, type GroupReport } from "../group-report.js";
import { formatNumber, formatRatio, median } from "../stats.js";
import type { ThroughputResult } from "./throughput-result.js";

const EVENTS_PER_PHASE = 3;

/**
 * Group 1: no-op phases through the HTTP control plane against graphile-worker and
 * pg-boss jobs, on the same Postgres, each repetition in a fresh database.
 */
export async function throughputGroup(context: GroupContext): Promise<GroupReport> {
  const { options, postgres } = context;
  const inFlight = options.workers * options.concurrency;
  const phases = Math.floor(options.phases / options.phasesPerRun) * options.phasesPerRun;
  const inFreshDatabase = async (label: string, task: string, args: object) => {
    const database = await postgres.createDatabase(label);
    try {
      return await runTask<ThroughputResult>(
        task,
        { ...args, databaseUrl: database.url, budgetMs: options.budgetSeconds * 1_000 },
        { verbose: options.verbose },
      );
    } finally {
      await database.drop();
    }
  };
  const ours = (events: number, batching = true): Contender<ThroughputResult> => ({
    name: `controlroom${batching ? "" : " unbatched"}${events === 0 ? "" : ` +${events} events`}`,
    measure: () =>
      inFreshDatabase("cr", "throughput-controlroom", {
        phases,
        phasesPerRun: options.phasesPerRun,
        eventsPerPhase: events,
        workers: options.workers,
        concurrency: options.concurrency,
        batching,
      }),
  });
  const graphile: Contender<ThroughputResult> = {
    name: "graphile-worker",
    measure: () =>
      inFreshDatabase("gw", "throughput-graphile-worker", { jobs: phases, concurrency: inFlight }),
  };
  const pgBoss: Contender<ThroughputResult> = {
    name: "pg-boss",
    measure: () =>
      inFreshDatabase("pb", "throughput-pg-boss", {
        jobs: phases,
        localConcurrency: options.workers,
        batchSize: options.concurrency,
      }),
  };
  context.log(`throughput: ${phases} no-op phases/jobs × ${options.reps} repetitions`);
  const results = await alternate(
    options.reps,
    [ours(0), ours(EVENTS_PER_PHASE), ours(0, false), graphile, pgBoss],
    context.log,
    (r) =>
      `${formatNumber(r.jobsPerSecond)} /s (${r.complete ? "" : `budget ran out after ${r.jobs} jobs, `}${r.seconds.toFixed(1)} s; enqueue ${r.enqueueSeconds.toFixed(1)} s)`,
  );
  const rate = (name: string) => median((results.get(name) ?? []).map((r) => r.jobsPerSecond));
  const cpuPerJob = (name: string, process: string) =>
    median(
      (results.get(name) ?? []).map((r) => ((r.cpuMs[process] ?? Number.NaN) * 1_000) / r.jobs),
    );
  const graphileRate = rate("graphile-worker");
  const table: string[][] = [
    [
      "contender",
      "jobs/s (median)",
      "runs",
      "vs graphile-worker",
      "CPU µs/job: worker",
      "server",
      "postgres",
    ],
  ];
  for (const name of results.keys()) {
    table.push([
      name,
      formatNumber(rate(name)),
      (results.get(name) ?? [])
        .map((r) => `${formatNumber(r.jobsPerSecond)}${r.complete ? "" : "*"}`)
        .join(" / "),
      formatRatio(rate(name) / graphileRate),
      formatNumber(cpuPerJob(name, "worker")),
      name.startsWith("controlroom") ? formatNumber(cpuPerJob(name, "server")) : "—",
      formatNumber(cpuPerJob(name, "postgres")),
    ]);
  }
  const oursRate = rate("controlroom");
  const oursEventsRate = rate(`controlroom +${EVENTS_PER_PHASE} events`);
  return {
    id: "throughput",
    title: "1. Throughput: no-op phases vs no-op jobs",
    setup: [
      `${formatNumber(phases)} phases/jobs per repetition, queued before the workers start; timed from worker start until the database shows all done (polled every 50 ms)`,
      `controlroom: ${options.phasesPerRun === 1 ? "one run per phase" : `runs of ${options.phasesPerRun} independent phases`} (created beforehand with ops.create_run, the SQL function behind POST /ops/runs, 500 per statement); startControlPlane on Postgres in its own process; ${options.workers} runWorker() loops × concurrency ${options.concurrency} (= ${inFlight} phases in flight) in one worker process, SDK over HTTP; a claim takes several phases (POST /ops/claims/batch with start: it writes PHASE_STARTED) and attempts ending together are completed in one POST /ops/completions, which also claims the slots it frees in the same transaction (+ one events POST per phase when it logs)`,
      `controlroom unbatched: the same worker on a client without the batch methods: one claim and one complete per phase`,
      `controlroom +${EVENTS_PER_PHASE} events: the same, the phase calls ctx.log.info() ${EVENTS_PER_PHASE} times (LOG events, flushed in one batch before complete)`,
      `graphile-worker 0.18.0: one runner, concurrency ${inFlight}, jobs added with addJobs()`,
      `pg-boss 12.38.0: work() with localConcurrency ${options.workers} × batchSize ${options.concurrency} (= ${inFlight} in flight), burstWhenBatchFull, jobs added with insert()`,
      "all: loggers silenced, each repetition in a fresh database on the same server, contenders alternating",
      `time budget ${options.budgetSeconds} s per measurement: a contender still busy then is rated over the jobs it finished (marked *)`,
    ],
    table,
    targets: [
      {
        target: "throughput ≥ graphile-worker's",
        met: oursRate >= graphileRate,
        detail: `${formatNumber(oursRate)} vs ${formatNumber(graphileRate)} phases/s (${formatRatio(oursRate / graphileRate)}); with ${EVENTS_PER_PHASE} events ${formatNumber(oursEventsRate)} (${formatRatio(oursEventsRate / graphileRate)})`,
      },
    ],
    notes: [],
    raw: Object.fromEntries(results),
  };
}
