import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDbEngineOptions } from "./duckdb-engine-options.js";
import { DuckDbError } from "./duckdb-error.js";

/**
 * Creates the database a {@link DuckDbEngine} with these options runs on: no extension
 * auto-install or auto-load, the given threads, memory limit, spill directory and
 * settings, `external_threads` from `concurrentQueries`, and the time zone UTC for
 * every connection. Its own small module, so that a caller can start the database
 * (15–30 ms) while the engine's larger module still loads.
 *
 * @example
 * ```ts
 * const instance = await openDuckDbInstance({ threads: 2 });
 * instance.closeSync();
 * ```
 */
export async function openDuckDbInstance(options: DuckDbEngineOptions): Promise<DuckDBInstance> {
  const concurrentQueries = checkConcurrentQueries(options);
  const settings: Record<string, string> = {
    ...options.settings,
    // Only the built-in extensions: a missing one must fail, not download code.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  };
  if (options.threads !== undefined) settings.threads = String(options.threads);
  if (options.memoryLimit !== undefined) settings.memory_limit = options.memoryLimit;
  if (options.tempDirectory !== undefined) settings.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(options.path ?? ":memory:", settings);
  try {
    // TimeZone comes from the built-in ICU extension, which registers it after the
    // instance is created: set it globally so that every new connection starts in UTC.
    const connection = await instance.connect();
    try {
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      if (concurrentQueries > 1 && options.settings?.external_threads === undefined) {
        // Set now, before any query runs, and at most `threads` (DuckDB refuses more),
        // which is only known once the database has chosen it.
        const reader = await connection.runAndReadAll(
          "SELECT CAST(current_setting('threads') AS BIGINT) AS threads",
        );
        const threads = Number(reader.getRowObjectsJS()[0]?.threads ?? 1);
        await connection.run(
          `SET GLOBAL external_threads = ${Math.min(concurrentQueries, threads)}`,
        );
      }
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    instance.closeSync();
    throw error;
  }
  return instance;
}

/**
 * `options.concurrentQueries`, or 1; a `DUCKDB_INVALID_ARGUMENT` error unless it is a
 * positive integer.
 *
 * @example
 * ```ts
 * checkConcurrentQueries({ concurrentQueries: 2 }); // 2
 * ```
 */
export function checkConcurrentQueries(options: DuckDbEngineOptions): number {
  const value = options.concurrentQueries ?? 1;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DuckDbError(
      "DUCKDB_INVALID_ARGUMENT",
      `concurrentQueries must be a positive integer, got ${options.concurrentQueries}`,
    );
  }
  return value;
}
