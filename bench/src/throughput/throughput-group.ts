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
  // Every contender at the same number of jobs in flight: our loops' concurrency, the
  // peers' concurrency or batches.
  const contendersAt = (concurrency: number): Contender<ThroughputResult>[] => {
    const inFlight = options.workers * concurrency;
    const ours = (events: number, batching = true): Contender<ThroughputResult> => ({
      name: `controlroom${batching ? "" : " unbatched"}${events === 0 ? "" : ` +${events} events`}`,
      measure: () =>
        inFreshDatabase("cr", "throughput-controlroom", {
          phases,
          phasesPerRun: options.phasesPerRun,
          eventsPerPhase: events,
          workers: options.workers,
          concurrency,
          batching,
        }),
    });
    return [
      ours(0),
      ours(EVENTS_PER_PHASE),
      ours(0, false),
      {
        name: "graphile-worker",
        measure: () =>
          inFreshDatabase("gw", "throughput-graphile-worker", {
            jobs: phases,
            concurrency: inFlight,
          }),
      },
      {
        name: "pg-boss",
        measure: () =>
          inFreshDatabase("pb", "throughput-pg-boss", {
            jobs: phases,
            localConcurrency: options.workers,
            batchSize: concurrency,
          }),
      },
    ];
  };

  // All levels' contenders take turns in one rotation, so that drift on the machine falls
  // on every level alike: the target compares one contender's best level with another's.
  const inFlights = options.concurrency.map((concurrency) => options.workers * concurrency);
  context.log(
    `throughput: ${phases} no-op phases/jobs × ${options.reps} repetitions at ${inFlights.join(", ")} in flight`,
  );
  const keyed = options.concurrency.flatMap((concurrency) =>
    contendersAt(concurrency).map((c) => ({
      ...c,
      name: `${c.name} @${options.workers * concurrency}`,
      plainName: c.name,
      concurrency,
    })),
  );
  const measured = await alternate(
    options.reps,
    keyed,
    context.log,
    (r) =>
      `${formatNumber(r.jobsPerSecond)} /s (${r.complete ? "" : `budget ran out after ${r.jobs} jobs, `}${r.seconds.toFixed(1)} s; enqueue ${r.enqueueSeconds.toFixed(1)} s)`,
  );
  const levels: ThroughputLevel[] = options.concurrency.map((concurrency) => ({
    inFlight: options.workers * concurrency,
    concurrency,
    results: new Map(
      keyed
        .filter((c) => c.concurrency === concurrency)
        .map((c) => [c.plainName, measured.get(c.name) ?? []]),
    ),
  }));

  const table: string[][] = [
    [
      "contender",
      "in flight",
      "jobs/s (median)",
      "runs",
      "vs graphile-worker",
      "CPU µs/job: worker",
      "server",
      "postgres",
    ],
  ];
  for (const level of levels) {
    const graphileRate = rateOf(level, "graphile-worker");
    for (const [name, runs] of level.results) {
      table.push([
        name,
        String(level.inFlight),
        formatNumber(rateOf(level, name)),
        runs.map((r) => `${formatNumber(r.jobsPerSecond)}${r.complete ? "" : "*"}`).join(" / "),
        formatRatio(rateOf(level, name) / graphileRate),
        formatNumber(cpuPerJob(runs, "worker")),
        name.startsWith("controlroom") ? formatNumber(cpuPerJob(runs, "server")) : "—",
        formatNumber(cpuPerJob(runs, "postgres")),
      ]);
    }
  }
  const ours = best(levels, "controlroom");
  const oursEvents = best(levels, `controlroom +${EVENTS_PER_PHASE} events`);
  const graphile = best(levels, "graphile-worker");
  const sameInFlight = levels
    .map(
      (level) =>
        `${level.inFlight} in flight ${formatRatio(rateOf(level, "controlroom") / rateOf(level, "graphile-worker"))}`,
    )
    .join(", ");
  const workerLine = levels
    .map((level) => `${options.workers} × ${level.concurrency} (= ${level.inFlight})`)
    .join(", ");
  return {
    id: "throughput",
    title: "1. Throughput: no-op phases vs no-op jobs",
    setup: [
      `${formatNumber(phases)} phases/jobs per repetition, queued before the workers start; timed from worker start until the database shows all done (polled every 50 ms)`,
      `each contender at ${inFlights.join(" and ")} jobs in flight, all levels alternating in one rotation; "vs graphile-worker" compares at the same level`,
      `controlroom: ${options.phasesPerRun === 1 ? "one run per phase" : `runs of ${options.phasesPerRun} independent phases`} (created beforehand with ops.create_run, the SQL function behind POST /ops/runs, 500 per statement); startControlPlane on Postgres in its own process; runWorker() loops × concurrency ${workerLine} in one worker process, SDK over HTTP; a claim takes several phases (POST /ops/claims/batch with start: it writes PHASE_STARTED) and attempts ending together are completed in one POST /ops/completions, which also claims the slots it frees in the same transaction (a phase's last events ride in its completion)`,
      `controlroom unbatched: the same worker on a client without the batch methods: one claim and one complete per phase`,
      `controlroom +${EVENTS_PER_PHASE} events: the same, the phase calls ctx.log.info() ${EVENTS_PER_PHASE} times (LOG events, carried in the phase's completion)`,
      `graphile-worker 0.18.0: one runner whose concurrency is the jobs in flight, jobs added with addJobs()`,
      `pg-boss 12.38.0: work() with localConcurrency ${options.workers} × batchSize ${options.concurrency.join(" or ")} (the jobs in flight), burstWhenBatchFull, jobs added with insert()`,
      "all: loggers silenced, each repetition in a fresh database on the same server, contenders alternating",
      `time budget ${options.budgetSeconds} s per measurement: a contender still busy then is rated over the jobs it finished (marked *)`,
    ],
    table,
    targets: [
      {
        // A queue's throughput is the most it sustains: each system at its best level.
        target: "throughput ≥ graphile-worker's",
        met: ours.rate >= graphile.rate,
        detail: `at each one's best: ${formatNumber(ours.rate)} phases/s (${ours.inFlight} in flight) vs ${formatNumber(graphile.rate)} (${graphile.inFlight}), ${formatRatio(ours.rate / graphile.rate)}; at the same level: ${sameInFlight}; with ${EVENTS_PER_PHASE} events ${formatNumber(oursEvents.rate)} (${oursEvents.inFlight} in flight, ${formatRatio(oursEvents.rate / graphile.rate)})`,
      },
    ],
    notes: [],
    raw: Object.fromEntries(levels.map((l) => [l.inFlight, Object.fromEntries(l.results)])),
  };
}

/** One concurrency level's measurements, by contender. */
interface ThroughputLevel {
  inFlight: number;
  concurrency: number;
  results: Map<string, ThroughputResult[]>;
}

const rateOf = (level: ThroughputLevel, name: string): number =>
  median((level.results.get(name) ?? []).map((r) => r.jobsPerSecond));

const cpuPerJob = (runs: readonly ThroughputResult[], process: string): number =>
  median(runs.map((r) => ((r.cpuMs[process] ?? Number.NaN) * 1_000) / r.jobs));

/** A contender's highest median rate over the levels, and the level it was at. */
function best(
  levels: readonly ThroughputLevel[],
  name: string,
): { rate: number; inFlight: number } {
  let top = { rate: Number.NaN, inFlight: 0 };
  for (const level of levels) {
    const rate = rateOf(level, name);
    if (Number.isFinite(rate) && !(rate <= top.rate)) top = { rate, inFlight: level.inFlight };
  }
  return top;
}
