import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDbEngine } from "../duckdb/duckdb-engine.js";
import type { DuckDbEngineOptions } from "../duckdb/duckdb-engine-options.js";
import { LakehouseError } from "../internal/lakehouse-error.js";

/**
 * The scratch space of one lakehouse call: a fresh temporary directory and, on first
 * use, a DuckDB of its own that spills into it. {@link LakehouseWorkspace.close}
 * closes the database and deletes the directory, whatever happened.
 */
export class LakehouseWorkspace {
  /** The call's scratch directory. */
  readonly directory: string;
  readonly #engineOptions: Omit<DuckDbEngineOptions, "path" | "tempDirectory">;
  #engine: Promise<DuckDbEngine> | undefined;
  #closed = false;

  private constructor(
    directory: string,
    engineOptions: Omit<DuckDbEngineOptions, "path" | "tempDirectory">,
  ) {
    this.directory = directory;
    this.#engineOptions = engineOptions;
  }

  /** Creates the scratch directory under `parent` (created when missing). */
  static async open(
    parent: string | undefined,
    engineOptions: Omit<DuckDbEngineOptions, "path" | "tempDirectory">,
  ): Promise<LakehouseWorkspace> {
    const base = parent ?? tmpdir();
    await mkdir(base, { recursive: true });
    const directory = await mkdtemp(join(base, "controlroom-lakehouse-"));
    return new LakehouseWorkspace(directory, engineOptions);
  }

  /** The workspace's DuckDB, opened on first use. */
  engine(): Promise<DuckDbEngine> {
    if (this.#closed) {
      return Promise.reject(new LakehouseError("LAKEHOUSE_CLOSED", "the lakehouse is closed"));
    }
    this.#engine ??= this.#openEngine();
    return this.#engine;
  }

  async #openEngine(): Promise<DuckDbEngine> {
    const options: DuckDbEngineOptions = {
      ...this.#engineOptions,
      // A database of its own per call: views of concurrent sessions cannot clash,
      // and its memory is released when the call ends.
      path: ":memory:",
      tempDirectory: join(this.directory, "spill"),
    };
    // The database starts (15–30 ms) while the engine's module loads, not after it.
    const opening = import("../duckdb/open-duckdb-instance.js").then(({ openDuckDbInstance }) =>
      openDuckDbInstance(options),
    );
    opening.catch(() => undefined);
    let loaded: EngineModule;
    try {
      loaded = await loadEngineModule();
    } catch (error) {
      // No engine will own the database: close it once it is open.
      void opening.then((instance) => instance.closeSync()).catch(() => undefined);
      throw error;
    }
    return new loaded.DuckDbEngine(options, opening);
  }

  /** Closes the engine (interrupting its queries) and deletes the directory; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine !== undefined) {
      await engine.then((e) => e.close()).catch(() => undefined);
    }
    // Cleanup must not turn a committed write into a failure the caller would retry.
    await rm(this.directory, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Starts loading the DuckDB engine module in the background, so that the first session
 * does not wait for it (10–20 ms, more when the sources are compiled on the fly). A
 * lakehouse calls it when it is created: its sessions, appends and hashes all run on
 * DuckDB. A failure is ignored here; the first call that needs the engine reports it.
 *
 * @example
 * ```ts
 * preloadEngineModule();
 * ```
 */
export function preloadEngineModule(): void {
  loadEngineModule().catch(() => undefined);
}

type EngineModule = typeof import("../duckdb/duckdb-engine.js");
let engineModule: Promise<EngineModule> | undefined;

// Loaded on first use, so that `@controlroom/adapters/delta` imports without
// `@duckdb/node-api` for users of the TableFormat alone. A failed load is not kept:
// the next call tries again (the package may have been installed meanwhile).
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= import("../duckdb/duckdb-engine.js").catch((cause: unknown) => {
    engineModule = undefined;
    throw new LakehouseError(
      "LAKEHOUSE_ENGINE_UNAVAILABLE",
      "the Delta lakehouse runs SQL on DuckDB: install @duckdb/node-api",
      { cause },
    );
  });
  return engineModule;
}
