import { runTask } from "../child-process.js";
import { alternate, type GroupContext, type GroupReport } from "../group-report.js";
import { formatMiB, formatNumber, median } from "../stats.js";
import { INGESTS, TARGET_INGEST } from "./ingest-under-test.js";
import type { IngestMemoryResult } from "./memory-child.js";
import { SOURCE_TABLE, seedSourceTable } from "./seed-source-table.js";

const TARGET_BYTES = 512 * 1024 * 1024;

/**
 * Group 4: peak RSS of ingesting N rows from Postgres, each registered ingest in a child
 * process of its own, alternating, on one seeded database.
 */
export async function memoryGroup(context: GroupContext): Promise<GroupReport> {
  const { options, postgres } = context;
  const database = await postgres.createDatabase("mem");
  try {
    context.log(`memory: seeding ${formatNumber(options.memoryRows)} rows`);
    const seedStarted = performance.now();
    await seedSourceTable(database.url, options.memoryRows);
    const seedSeconds = (performance.now() - seedStarted) / 1_000;
    const results = await alternate(
      options.reps,
      Object.keys(INGESTS).map((name) => ({
        name,
        measure: () =>
          runTask<IngestMemoryResult>(
            "memory-ingest",
            {
              ingest: name,
              databaseUrl: database.url,
              table: SOURCE_TABLE,
              fileSize: options.fileSize,
            },
            { verbose: options.verbose },
          ),
      })),
      context.log,
      (r) => `peak ${formatMiB(r.vmHwmBytes)}, ${formatNumber(r.rows / r.seconds)} rows/s`,
    );
    const table: string[][] = [
      ["ingest", "peak RSS (VmHWM)", "maxRSS", "RSS before", "rows/s", "rows"],
    ];
    for (const [name, runs] of results) {
      table.push([
        name,
        formatMiB(median(runs.map((r) => r.vmHwmBytes))),
        formatMiB(median(runs.map((r) => r.maxRssBytes))),
        formatMiB(median(runs.map((r) => r.baselineRssBytes))),
        formatNumber(median(runs.map((r) => r.rows / r.seconds))),
        formatNumber(median(runs.map((r) => r.rows))),
      ]);
    }
    const judged = TARGET_INGEST === undefined ? undefined : results.get(TARGET_INGEST);
    const peak = judged === undefined ? Number.NaN : median(judged.map((r) => r.vmHwmBytes));
    return {
      id: "memory",
      title: "4. Memory: peak RSS of ingesting rows from Postgres",
      setup: [
        `${formatNumber(options.memoryRows)} rows in ${SOURCE_TABLE} (Odoo account_move-like: bigint id, timestamp write_date, text, int, numeric(16,2), jsonb), seeded with generate_series in ${seedSeconds.toFixed(0)} s, indexed on (write_date, id)`,
        "each ingest in a fresh Node process (tsx, @controlroom/source); peak RSS = VmHWM from /proc/self/status (native memory of drivers and DuckDB included), cross-checked with process.resourceUsage().maxRSS",
        `bronze files: createDeltaLakehouse({ targetFileSize: ${options.fileSize === undefined ? "default, 128MB" : JSON.stringify(options.fileSize)} })`,
        TARGET_INGEST === undefined
          ? "pending wiring: the bronze ingest (Lakehouse.appendRows from createPostgresSource) is not registered yet; the baseline shows the floor it sits on"
          : `the target is judged on: ${TARGET_INGEST}`,
      ],
      table,
      targets: [
        {
          target: "ingest peak memory < 512 MB",
          met: judged === undefined ? undefined : peak < TARGET_BYTES,
          detail:
            judged === undefined
              ? `pending wiring (baseline: ${formatMiB(median((results.values().next().value ?? []).map((r) => r.vmHwmBytes)))})`
              : `peak ${formatMiB(peak)}`,
        },
      ],
      notes: [],
      raw: Object.fromEntries(results),
    };
  } finally {
    await database.drop();
  }
}
