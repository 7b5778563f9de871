/**
 * Group 3b: the demo's gold transformations through the framework against the same SQL
 * run directly in DuckDB on the same files, on the Odoo demo's lake at `--gold-rows`
 * journal items (built once with `runOdooDemo` and cached in bench/.cache).
 */
import { ODOO_GOLD } from "@controlroom/odoo-medallion";
import { runTask } from "../child-process.js";
import { alternate, type GroupContext, type GroupReport } from "../group-report.js";
import { formatMs, formatNumber, formatRatio, median, percentile } from "../stats.js";
import type { GoldRunResult } from "./gold-framework.js";
import type { OdooDemoLake } from "./odoo-demo-lake.js";
import { resetGoldTables } from "./reset-gold-tables.js";

/**
 * Builds (or reuses) the demo's lake, runs each side once untimed to warm the file
 * cache and check that both write the same rows (row counts and row-set hashes, format
 * v2, of every gold table), then times both `reps` times, alternating, each run in a fresh
 * process, and reports the medians and the framework's overhead against the < 10%
 * target.
 */
export async function goldOverheadGroup(context: GroupContext): Promise<GroupReport> {
  const { options } = context;
  const child = { verbose: options.verbose };
  context.log(
    `gold: the Odoo demo's lake at ${formatNumber(options.goldRows)} journal items (cached in ${options.cacheDir}; a first build takes long: 51 minutes for 1,000,000 on a busy 2-core machine)`,
  );
  const lake = await runTask<OdooDemoLake>(
    "gold-build-lake",
    { cacheDir: options.cacheDir, rows: options.goldRows },
    child,
  );
  const input = { lakeDir: lake.lakeDir, silver: lake.silver };
  // Every framework run starts from the gold tables the demo wrote (see resetGoldTables).
  const runFramework = async () => {
    await resetGoldTables(lake);
    return runTask<GoldRunResult>("gold-framework", input, child);
  };

  context.log("gold: warm-up and output check");
  const framework = await runFramework();
  const plain = await runTask<GoldRunResult>("gold-plain", { ...input, verify: true }, child);
  const differences = ODOO_GOLD.flatMap((model) => {
    const ours = framework.tables[model.name];
    const theirs = plain.tables[model.name];
    return ours?.rows === theirs?.rows && ours?.sha256 === theirs?.sha256
      ? []
      : [
          `${model.name}: framework ${ours?.rows ?? "?"} rows ${ours?.sha256.slice(0, 12) ?? "?"}, plain ${theirs?.rows ?? "?"} rows ${theirs?.sha256.slice(0, 12) ?? "?"}`,
        ];
  });

  const results = await alternate(
    options.goldReps,
    [
      { name: "framework", measure: runFramework },
      { name: "plain DuckDB", measure: () => runTask<GoldRunResult>("gold-plain", input, child) },
    ],
    context.log,
    (result) => formatMs(result.ms),
  );
  const times = (name: string) => (results.get(name) ?? []).map((result) => result.ms);
  const frameworkTimes = times("framework");
  const plainTimes = times("plain DuckDB");
  const ours = median(frameworkTimes);
  const theirs = median(plainTimes);
  const overhead = ours / theirs - 1;
  // Each framework run over the plain run next to it: how far one pair alone may
  // stray from the ratio of the medians on this machine.
  const pairs = frameworkTimes.flatMap((ms, index) => {
    const plainMs = plainTimes[index];
    return plainMs === undefined ? [] : [ms / plainMs];
  });
  const silverRows = Object.values(lake.silver.tables).reduce((sum, t) => sum + t.rows, 0);
  const goldRows = ODOO_GOLD.map(
    (model) => `${model.name} ${formatNumber(framework.tables[model.name]?.rows ?? Number.NaN)}`,
  );
  return {
    id: "gold",
    title: "3b. Gold transformations through the framework vs plain DuckDB",
    setup: [
      `the Odoo demo (runOdooDemo, seed ${lake.seed}) at ${formatNumber(lake.rows)} journal items, built once in ${formatNumber(lake.buildSeconds)} s and cached in ${lake.dataDir}: ${Object.keys(lake.silver.tables).length} silver tables of ${formatNumber(silverRows)} rows (account_move_lines ${formatNumber(lake.silver.tables.account_move_lines?.rows ?? Number.NaN)})`,
      `${ODOO_GOLD.length} gold models (ODOO_GOLD), rows: ${goldRows.join(", ")}`,
      "framework: the demo executor's gold phase through runPhase (@controlroom/executor-kit/testing, the attempt a worker runs, without HTTP) on createDeltaLakehouse over the local lake: a DuckDB session of views over the pinned silver versions, each table overwritten (Parquet, Delta commit) and fingerprinted from the files it wrote while they are committed (row-set hash v2, the same as contentHash of the version)",
      "plain DuckDB: the same SQL in one in-process DuckDB (@duckdb/node-api) with a read_parquet view per silver table over the same files (listed before the clock starts), each result COPY'd to one Parquet file",
      `${options.goldReps} alternating repetitions per side (--gold-reps), each run in a fresh process, timed inside it, with @duckdb/node-api (and the framework's DuckDB engine module) loaded before the clock on both sides (a worker loads them once per process); one untimed run of each side first`,
      "before each framework run (off the clock) the gold tables are put back to the versions the demo wrote, so that no run reads the versions earlier runs committed",
    ],
    table: [
      ["side", "median", "repetitions", "vs plain DuckDB"],
      [
        "framework",
        formatMs(ours),
        frameworkTimes.map(formatMs).join(" / "),
        formatRatio(ours / theirs),
      ],
      ["plain DuckDB", formatMs(theirs), plainTimes.map(formatMs).join(" / "), formatRatio(1)],
    ],
    targets: [
      {
        target: "framework overhead < 10% over plain DuckDB",
        met: differences.length > 0 ? false : overhead < 0.1,
        detail:
          differences.length > 0
            ? `the outputs differ, so the times do not compare: ${differences.join("; ")}`
            : `${(overhead * 100).toFixed(1)}% (${formatMs(ours)} vs ${formatMs(theirs)})`,
      },
    ],
    notes:
      differences.length > 0
        ? differences.map((d) => `OUTPUTS DIFFER: ${d}`)
        : [
            `one framework run over the plain run next to it: median ${formatRatio(median(pairs))}, quartiles ${formatRatio(percentile(pairs, 25))}–${formatRatio(percentile(pairs, 75))}, range ${formatRatio(Math.min(...pairs))}–${formatRatio(Math.max(...pairs))}`,
            `same output: every gold table has the same row count and row-set hash on both sides (${plain.tables[ODOO_GOLD[0]?.name ?? ""]?.hashFormat ?? "?"}; ${ODOO_GOLD.map((m) => `${m.name} ${framework.tables[m.name]?.sha256.slice(0, 12)}`).join(", ")})`,
          ],
    raw: { lake, check: { framework, plain }, runs: Object.fromEntries(results) },
  };
}
