import { parseArgs } from "node:util";

/** The benchmark groups `pnpm bench` knows, in the order they run. */
export const GROUPS = ["throughput", "latency", "delta", "gold", "memory"] as const;
export type GroupId = (typeof GROUPS)[number];

/** Everything a benchmark run can be told, normalised once. */
export interface BenchOptions {
  groups: GroupId[];
  /** Alternating repetitions per contender; medians are over these. */
  reps: number;
  /** Throughput: phases (jobs) per repetition. */
  phases: number;
  /** Throughput: independent phases per run (1 = one run per job). */
  phasesPerRun: number;
  /**
   * Throughput: runWorker() loops, and the concurrency of each; one measurement per
   * concurrency level (`workers × concurrency` phases in flight, the peers likewise).
   */
  workers: number;
  concurrency: number[];
  /** Throughput: the longest one measurement may take before it is rated as it stands. */
  budgetSeconds: number;
  /** Latency: runs created one after another per repetition. */
  latencyRuns: number;
  /** Delta: commits of the cached snapshot-load fixture, and rows per commit. */
  deltaCommits: number;
  /** Delta: rows per append, and appends per repetition, of the append benchmark. */
  appendRows: number;
  appends: number;
  /** Gold: journal items of the Odoo demo whose lake the gold benchmark reads. */
  goldRows: number;
  /** Gold: alternating repetitions per side (its own: they are cheap and noisy). */
  goldReps: number;
  /** Memory: rows seeded in Postgres and read by the ingest under test. */
  memoryRows: number;
  /** Memory: `targetFileSize` of the bronze ingests' lakehouse; undefined: the default. */
  fileSize: string | undefined;
  databaseUrl: string | undefined;
  /** Where fixtures are cached between runs. */
  cacheDir: string;
  /** Also write every figure as JSON here. */
  jsonPath: string | undefined;
  verbose: boolean;
  python: string;
}

// Gold repetitions by default: one run takes about a second and varies by ±10% on a
// small shared machine, so the median of 3 (the other groups' default) says little.
const GOLD_REPS = 15;

const USAGE = `pnpm bench [options]

  --groups LIST       comma-separated: ${GROUPS.join(",")} (default: all)
  --reps N            alternating repetitions per contender (default 3)
  --quick             small sizes for a smoke run: 2,000 phases, 200 latency runs,
                      a 1,000-commit Delta table, a 10,000-row demo lake,
                      200,000 memory rows
  --phases N          throughput: phases per repetition (default 20000)
  --phases-per-run N  throughput: independent phases per run (default 1)
  --workers N         throughput: runWorker() loops (default 2)
  --concurrency LIST  throughput: concurrency of each loop, one level per value
                      (default 8,128: 16 and 256 in flight; --quick: 8)
  --budget SECONDS   throughput: time budget per measurement (default 600)
  --latency-runs N    latency: runs per repetition (default 1000)
  --delta-commits N   delta: commits of the snapshot fixture (default 10000)
  --append-rows N     delta: rows per append (default 100000)
  --gold-rows N       gold: journal items of the demo lake (default 1000000)
  --gold-reps N       gold: alternating repetitions per side, in place of --reps
                      (default 15: a run takes about a second, and one run's time
                      varies by ±10% on a small shared machine)
  --memory-rows N     memory: rows to ingest (default 5000000)
  --file-size SIZE    memory: targetFileSize of the bronze ingests' lakehouse, e.g.
                      32MB (default: the adapter's, 128MB)
  --database-url URL  Postgres to use (else CONTROLROOM_BENCH_DATABASE_URL, else a
                      throwaway Postgres 15 cluster); needs CREATEDB
  --json FILE         also write the results as JSON
  --verbose           show the child processes' stderr

Environment: CONTROLROOM_BENCH_REPS, CONTROLROOM_BENCH_PHASES, CONTROLROOM_BENCH_QUICK=1,
CONTROLROOM_BENCH_DATABASE_URL, CONTROLROOM_BENCH_PYTHON (default python3).`;

/** Parses flags (which win) and CONTROLROOM_BENCH_* variables. */
export function parseBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultCacheDir: string,
): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      groups: { type: "string" },
      reps: { type: "string" },
      quick: { type: "boolean" },
      phases: { type: "string" },
      "phases-per-run": { type: "string" },
      workers: { type: "string" },
      concurrency: { type: "string" },
      budget: { type: "string" },
      "latency-runs": { type: "string" },
      "delta-commits": { type: "string" },
      "append-rows": { type: "string" },
      "gold-rows": { type: "string" },
      "gold-reps": { type: "string" },
      "memory-rows": { type: "string" },
      "file-size": { type: "string" },
      "database-url": { type: "string" },
      json: { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const quick = values.quick === true || env.CONTROLROOM_BENCH_QUICK === "1";
  const int = (flag: string | undefined, fallback: number, name: string, min = 1): number => {
    if (flag === undefined) return fallback;
    const value = Number(flag);
    if (!Number.isInteger(value) || value < min) {
      throw new TypeError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(flag)}`);
    }
    return value;
  };
  const groups =
    values.groups === undefined
      ? [...GROUPS]
      : values.groups.split(",").map((name) => {
          const group = name.trim() as GroupId;
          if (!GROUPS.includes(group)) {
            throw new TypeError(`unknown group ${name}; known: ${GROUPS.join(", ")}`);
          }
          return group;
        });
  return {
    groups,
    reps: int(values.reps ?? env.CONTROLROOM_BENCH_REPS, 3, "--reps"),
    phases: int(values.phases ?? env.CONTROLROOM_BENCH_PHASES, quick ? 2_000 : 20_000, "--phases"),
    phasesPerRun: int(values["phases-per-run"], 1, "--phases-per-run"),
    workers: int(values.workers, 2, "--workers"),
    concurrency:
      values.concurrency === undefined
        ? quick
          ? [8]
          : [8, 128]
        : [...new Set(values.concurrency.split(",").map((v) => int(v.trim(), 0, "--concurrency")))],
    budgetSeconds: int(values.budget, 600, "--budget"),
    latencyRuns: int(values["latency-runs"], quick ? 200 : 1_000, "--latency-runs"),
    deltaCommits: int(values["delta-commits"], quick ? 1_000 : 10_000, "--delta-commits"),
    appendRows: int(values["append-rows"], quick ? 20_000 : 100_000, "--append-rows"),
    appends: 3,
    // The demo refuses fewer than 100 journal items.
    goldRows: int(values["gold-rows"], quick ? 10_000 : 1_000_000, "--gold-rows", 100),
    goldReps: int(values["gold-reps"], GOLD_REPS, "--gold-reps"),
    memoryRows: int(values["memory-rows"], quick ? 200_000 : 5_000_000, "--memory-rows"),
    fileSize: values["file-size"],
    databaseUrl: values["database-url"] ?? (env.CONTROLROOM_BENCH_DATABASE_URL || undefined),
    cacheDir: defaultCacheDir,
    jsonPath: values.json,
    verbose: values.verbose === true,
    python: env.CONTROLROOM_BENCH_PYTHON || "python3",
  };
}

export { USAGE };
