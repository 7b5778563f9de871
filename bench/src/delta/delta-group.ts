import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTask } from "../child-process.js";
import { alternate, type GroupContext, type GroupReport } from "../group-report.js";
import { formatMs, formatNumber, formatRatio, median } from "../stats.js";
import { ensureDeltaFixture } from "./delta-fixture.js";
import type { DeltaTimings } from "./delta-ours.js";
import { deltaRsVersion, runDeltaRs } from "./delta-rs.js";

const ROWS_PER_COMMIT = 10;
const LOADS_PER_REP = 5;

/**
 * Group 3a (data plane): loading the snapshot of a Delta table of many small commits
 * (with checkpoints), and appending rows, ours against delta-rs. 3b, the gold SQL
 * through the framework against plain DuckDB, is the `gold` group (gold/gold-overhead.ts).
 */
export async function deltaGroup(context: GroupContext): Promise<GroupReport> {
  const { options } = context;
  const python = options.python;
  const deltaRs = await deltaRsVersion(python);
  context.log(
    `delta: fixture of ${options.deltaCommits} commits (cached in ${options.cacheDir}; the first build takes long)`,
  );
  const fixture = await ensureDeltaFixture({
    cacheDir: options.cacheDir,
    commits: options.deltaCommits,
    rowsPerCommit: ROWS_PER_COMMIT,
    onProgress: (done, total, ms) =>
      context.log(`  building: ${done}/${total} commits (${ms.toFixed(0)} ms per append lately)`),
  });

  const snapshot = await alternate(
    options.reps,
    [
      {
        name: "controlroom",
        measure: async () =>
          runTask<DeltaTimings>(
            "delta-snapshot-ours",
            { root: fixture.root, location: fixture.location, loads: LOADS_PER_REP },
            { verbose: options.verbose },
          ),
      },
      ...(deltaRs === undefined
        ? []
        : [
            {
              name: "delta-rs",
              measure: () =>
                runDeltaRs(python, { mode: "snapshot", path: fixture.path, loads: LOADS_PER_REP }),
            },
          ]),
    ],
    context.log,
    (t) => `snapshot ${formatMs(median(t.ms))} (version ${t.version}, ${t.files} files)`,
  );

  const appendIn = async (work: (dir: string) => Promise<DeltaTimings>) => {
    const dir = await mkdtemp(join(tmpdir(), "controlroom-bench-append-"));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const append = await alternate(
    options.reps,
    [
      {
        name: "controlroom",
        measure: () =>
          appendIn((root) =>
            runTask<DeltaTimings>(
              "delta-append-ours",
              { root, rows: options.appendRows, appends: options.appends },
              { verbose: options.verbose },
            ),
          ),
      },
      ...(deltaRs === undefined
        ? []
        : [
            {
              name: "delta-rs",
              measure: () =>
                appendIn((dir) =>
                  runDeltaRs(python, {
                    mode: "append",
                    path: join(dir, "table"),
                    rows: options.appendRows,
                    appends: options.appends,
                  }),
                ),
            },
          ]),
    ],
    context.log,
    (t) => `${formatNumber(rowsPerSecond(t))} rows/s`,
  );

  const snapshotMs = (name: string) => median((snapshot.get(name) ?? []).map((t) => median(t.ms)));
  const appendRate = (name: string) => median((append.get(name) ?? []).map(rowsPerSecond));
  const missing = "n/a (no deltalake)";
  const ours = { load: snapshotMs("controlroom"), rate: appendRate("controlroom") };
  const peer = { load: snapshotMs("delta-rs"), rate: appendRate("delta-rs") };
  const sample = snapshot.get("controlroom")?.[0];
  return {
    id: "delta",
    title: "3a. Delta Lake: snapshot load and append, ours vs delta-rs",
    setup: [
      `snapshot: a table of ${formatNumber(fixture.commits)} commits of ${ROWS_PER_COMMIT} rows (version ${sample?.version ?? "?"}, ${formatNumber(sample?.files ?? Number.NaN)} live files, a checkpoint every 10 commits), built with openDeltaTable().append() and cached in bench/.cache; each load on a fresh handle, ${LOADS_PER_REP} loads per repetition after a warm-up, median`,
      "controlroom: openDeltaTable({ store: local directory }).snapshot() (lists _delta_log, reads the newest checkpoint through DuckDB, replays the JSON commits after it)",
      `delta-rs: Python deltalake ${deltaRs ?? "(not installed)"}, DeltaTable(path) plus file_uris(), in its own process`,
      `append: ${options.appends} appends of ${formatNumber(options.appendRows)} rows (id long, amount double, label string) to a new table; ours table.append({ rows }) from JS objects, delta-rs write_deltalake() from an Arrow table; building the rows is not timed`,
    ],
    table: [
      ["metric", "controlroom", "delta-rs", "ours vs delta-rs"],
      [
        `snapshot load, ${formatNumber(fixture.commits)} commits`,
        formatMs(ours.load),
        deltaRs ? formatMs(peer.load) : missing,
        deltaRs ? `${formatRatio(ours.load / peer.load)} the time` : "n/a",
      ],
      [
        "append throughput, rows/s",
        formatNumber(ours.rate),
        deltaRs ? formatNumber(peer.rate) : missing,
        deltaRs ? `${formatRatio(ours.rate / peer.rate)} the rate` : "n/a",
      ],
    ],
    targets: [],
    notes: [],
    raw: { snapshot: Object.fromEntries(snapshot), append: Object.fromEntries(append) },
  };
}

function rowsPerSecond(timings: DeltaTimings): number {
  const total = timings.ms.reduce((sum, ms) => sum + ms, 0);
  return ((timings.rows ?? 0) * timings.ms.length) / (total / 1_000);
}
