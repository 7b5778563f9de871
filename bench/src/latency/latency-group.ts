import { runTask } from "../child-process.js";
import { alternate, type Contender, type GroupContext, type GroupReport } from "../group-report.js";
import { formatMs, formatRatio, median, percentile } from "../stats.js";
import type { LatencyResult } from "./latency-result.js";

const WARMUP = 20;

interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  callP50: number;
  samples: number;
  /** Median of each step, for contenders that report a breakdown. */
  steps: Record<string, number>;
}

function summarise(result: LatencyResult): LatencySummary {
  return {
    p50: percentile(result.enqueueToStart, 50),
    p95: percentile(result.enqueueToStart, 95),
    p99: percentile(result.enqueueToStart, 99),
    callP50: percentile(result.enqueueCall, 50),
    samples: result.enqueueToStart.length,
    steps: Object.fromEntries(
      Object.entries(result.breakdown ?? {}).map(([step, values]) => [step, median(values)]),
    ),
  };
}

/** Group 2: enqueue-to-start latency on an idle system, ours against graphile-worker. */
export async function latencyGroup(context: GroupContext): Promise<GroupReport> {
  const { options, postgres } = context;
  const measure = (label: string, task: string, args: object) => async () => {
    const database = await postgres.createDatabase(label);
    try {
      const result = await runTask<LatencyResult>(
        task,
        { ...args, databaseUrl: database.url, warmup: WARMUP },
        { verbose: options.verbose },
      );
      return summarise(result);
    } finally {
      await database.drop();
    }
  };
  const contenders: Contender<LatencySummary>[] = [
    {
      name: "controlroom",
      measure: measure("crl", "latency-controlroom", { runs: options.latencyRuns }),
    },
    {
      name: "graphile-worker",
      measure: measure("gwl", "latency-graphile-worker", { jobs: options.latencyRuns }),
    },
  ];
  context.log(
    `latency: ${options.latencyRuns} jobs one after another × ${options.reps} repetitions`,
  );
  const results = await alternate(
    options.reps,
    contenders,
    context.log,
    (s) => `p50 ${formatMs(s.p50)}, p95 ${formatMs(s.p95)}, p99 ${formatMs(s.p99)}`,
  );
  const med = (name: string, key: Exclude<keyof LatencySummary, "steps">) =>
    median((results.get(name) ?? []).map((s) => s[key]));
  const ours = results.get("controlroom") ?? [];
  const stepNames = Object.keys(ours[0]?.steps ?? {});
  const table: string[][] = [
    ["contender", "p50", "p95", "p99", "enqueue call p50", "p50 vs graphile-worker"],
  ];
  for (const name of results.keys()) {
    table.push([
      name,
      formatMs(med(name, "p50")),
      formatMs(med(name, "p95")),
      formatMs(med(name, "p99")),
      formatMs(med(name, "callP50")),
      formatRatio(med(name, "p50") / med("graphile-worker", "p50")),
    ]);
  }
  const oursP50 = med("controlroom", "p50");
  return {
    id: "latency",
    title: "2. Enqueue-to-start latency on an idle system",
    setup: [
      `${options.latencyRuns} jobs per repetition (after ${WARMUP} warm-up jobs), each enqueued once the previous one completed and 20–30 ms passed; timed from just before the enqueue call to the job's function starting; percentiles per repetition, medians over repetitions`,
      "controlroom: POST /ops/runs (one phase) through the SDK → the store's NOTIFY on controlroom_ops_runnable wakes the long-polling POST /ops/claims (runWorker, concurrency 1, claimWaitMs 10 s) → claim with start (PHASE_CLAIMED and PHASE_STARTED in one transaction) → phase function",
      "graphile-worker 0.18.0: addJob() (graphile_worker.add_job) → NOTIFY jobs:insert → runner (concurrency 1) fetches the job → task function",
      "both in one process with their worker; the control plane in its own process",
    ],
    table,
    targets: [
      {
        target: "p50 enqueue-to-start latency < 10 ms",
        met: oursP50 < 10,
        detail: `p50 ${formatMs(oursP50)} (graphile-worker ${formatMs(med("graphile-worker", "p50"))})`,
      },
    ],
    notes: [
      `controlroom p50 by step (server event timestamps; medians): ${stepNames
        .map((step) => `${step} ${formatMs(median(ours.map((s) => s.steps[step] ?? Number.NaN)))}`)
        .join("; ")}`,
    ],
    raw: Object.fromEntries(results),
  };
}
