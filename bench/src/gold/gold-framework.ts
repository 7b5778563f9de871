import { createDeltaLakehouse } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import type { JsonObject } from "@controlroom/contract";
import { runPhase } from "@controlroom/executor-kit/testing";
import { createOdooFinanceExecutor } from "@controlroom/odoo-medallion";
import type { SilverOutput } from "./odoo-demo-lake.js";

/** A gold table one side wrote: its rows and row-set hash, and where it is. */
export interface GoldTableResult {
  rows: number;
  sha256: string;
  /** The fingerprint's format (`hash_format` in the manifest), when the side says. */
  hashFormat?: string;
  /** Framework: the table's location and the version the phase committed. */
  location?: string;
  version?: number;
}

/** One timed run of one side of the gold benchmark. */
export interface GoldRunResult {
  ms: number;
  tables: Record<string, GoldTableResult>;
}

/**
 * Runs the demo executor's gold phase once, as a worker would run it, and times it
 * (with `@duckdb/node-api` loaded beforehand, as in a worker that has run a phase):
 * `runPhase` from the executor kit's testing entry (the same `executeAttempt` a worker
 * calls; no server, so no HTTP in the figure) with the demo's `DeltaLakehouse` over the
 * cached lake and the silver phase's output as upstream. The phase opens a DuckDB
 * session of views over the pinned silver versions, overwrites each gold table with
 * its SQL (Parquet files, a Delta commit) and fingerprints every table it wrote, which
 * is what the product does on every run.
 */
export async function runGoldThroughFramework(args: {
  lakeDir: string;
  silver: SilverOutput;
}): Promise<GoldRunResult> {
  // Loaded before the clock, as the plain side's static import is: a worker process
  // loads the DuckDB module once (about 0.2 s here) and then runs many phases.
  // Everything per phase (the DuckDB instance, its views, the writes) stays timed.
  await import("@duckdb/node-api");
  // The same for the lakehouse's own DuckDB engine module: the lakehouse starts loading
  // it when it is created (a worker creates it once, at start), so the first phase of a
  // worker may wait for it, no later one does. Awaited here, it is not left to finish
  // (compiled on the fly by tsx, 10-35 ms) inside the timed phase.
  await import("@controlroom/adapters/duckdb");
  const lakehouse = createDeltaLakehouse({ store: createLocalObjectStore({ root: args.lakeDir }) });
  const executor = createOdooFinanceExecutor();
  try {
    const started = performance.now();
    const result = await runPhase(executor, "gold", {
      upstream: { silver: args.silver as unknown as JsonObject },
      adapters: { lakehouse },
      run: { spec_slug: "odoo-finance", run_id: `bench-gold-${process.pid}` },
    });
    const ms = performance.now() - started;
    if (result.status !== "succeeded") {
      throw new Error(`the gold phase ${result.status}: ${result.error?.message ?? "no error"}`, {
        cause: result.thrown,
      });
    }
    const output = result.output as { tables: Record<string, Required<GoldTableResult>> };
    return { ms, tables: output.tables };
  } finally {
    await lakehouse.close();
  }
}
