import { openDeltaTable } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { FIXTURE_SCHEMA } from "./delta-fixture.js";

/** Timings of one side of a Delta benchmark, in milliseconds. */
export interface DeltaTimings {
  ms: number[];
  version?: number;
  files?: number;
  rows?: number;
}

/**
 * Times `openDeltaTable(…).snapshot()` on a fresh handle (so a fresh DuckDB session for
 * the checkpoint) `loads` times, after one warm-up load: what a reader pays to learn a
 * table's version, schema and live files.
 */
export async function oursSnapshotLoad(args: {
  root: string;
  location: string;
  loads: number;
}): Promise<DeltaTimings> {
  const load = async () => {
    const table = openDeltaTable({
      store: createLocalObjectStore({ root: args.root }),
      location: args.location,
    });
    try {
      const snapshot = await table.snapshot();
      return { version: snapshot.version, files: snapshot.files.length };
    } finally {
      await table.close();
    }
  };
  await load();
  const ms: number[] = [];
  let last = { version: -1, files: 0 };
  for (let i = 0; i < args.loads; i++) {
    const started = performance.now();
    last = await load();
    ms.push(performance.now() - started);
  }
  return { ms, ...last };
}

/**
 * Creates a table with the fixture's schema in `root` and writes one row to it, as
 * delta_rs_bench.py creates its table with a one-row write_deltalake (which also warms
 * up each side's writer: our first append loads DuckDB), then times `appends` appends
 * of `rows` rows each with `table.append({ rows })` (the rows are built before the
 * clock starts).
 */
export async function oursAppend(args: {
  root: string;
  rows: number;
  appends: number;
}): Promise<DeltaTimings> {
  const provenance = { run_id: "bench", phase: "append", git_sha: "0".repeat(40) };
  const table = openDeltaTable({
    store: createLocalObjectStore({ root: args.root }),
    location: "table",
  });
  try {
    await table.create({ schema: FIXTURE_SCHEMA, provenance });
    await table.append({ rows: [{ id: 0n, amount: 0, label: "row-0" }] }, { provenance });
    const ms: number[] = [];
    for (let k = 0; k < args.appends; k++) {
      const start = (k + 1) * args.rows;
      const rows = Array.from({ length: args.rows }, (_, i) => ({
        id: BigInt(start + i),
        amount: (start + i) / 7,
        label: `row-${start + i}`,
      }));
      const started = performance.now();
      await table.append({ rows }, { provenance });
      ms.push(performance.now() - started);
    }
    return { ms, rows: args.rows };
  } finally {
    await table.close();
  }
}
