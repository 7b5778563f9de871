import type { ObjectStore } from "@controlroom/executor-kit";
import type { DuckDbEngineOptions } from "../duckdb/duckdb-engine-options.js";

/** Options of {@link createDeltaLakehouse}. */
export interface DeltaLakehouseOptions {
  /** The store every table lives in; locations are key prefixes in it. */
  store: ObjectStore;
  /**
   * Settings of the in-process DuckDB each session, append and hash opens (`threads`,
   * `memoryLimit`, `settings`). Each of those runs on a database of its own, so
   * concurrent calls each get up to `memoryLimit`. The database is always in memory and
   * spills to a directory under `tempDirectory`.
   * @default {} (DuckDB's defaults: one thread per core, 80% of RAM)
   */
  engine?: Omit<DuckDbEngineOptions, "path" | "tempDirectory"> | undefined;
  /**
   * Where each call's scratch directory goes: staged rows of `appendRows`, copies of
   * remote data files, Parquet files before upload, DuckDB's spill files. Every scratch
   * directory is deleted when its call ends.
   * @default os.tmpdir()
   */
  tempDirectory?: string | undefined;
  /**
   * Write a Delta checkpoint after every this many commits (unless a table sets
   * `delta.checkpointInterval`).
   * @default 10
   */
  checkpointInterval?: number | undefined;
  /**
   * Start a new Parquet data file after about this many bytes, in DuckDB's syntax.
   * @default "128MB"
   */
  targetFileSize?: string | undefined;
}
