import { join } from "node:path";
import type { OpsStore } from "../ops-store.js";

/** Where {@link openStore} opens the store: Postgres by URL, or PGlite (directory or memory). */
export type StoreTarget = { databaseUrl: string } | { dataDir?: string | undefined };

/** The subdirectory of a data directory that holds the PGlite database. */
export const PGLITE_SUBDIRECTORY = "db";

/**
 * Opens the store a server needs: Postgres for a `databaseUrl`, otherwise embedded
 * PGlite in `<dataDir>/db` (in memory without a `dataDir`, from a migrated snapshot
 * shared by the process). The database gets its own
 * subdirectory so that the data directory can also hold the JWT secret without mixing
 * it into Postgres's files. Drivers are loaded lazily: a server on Postgres never
 * initialises PGlite's WASM, and the other way round.
 *
 * @example
 * ```ts
 * const store = await openStore({ dataDir: ".controlroom" });
 * ```
 */
export async function openStore(target: StoreTarget): Promise<OpsStore> {
  if ("databaseUrl" in target) {
    const { openPostgresStore } = await import("../store/postgres-store.js");
    return openPostgresStore({ url: target.databaseUrl });
  }
  if (target.dataDir === undefined) {
    const { openMemoryStore } = await import("./memory-store.js");
    return openMemoryStore();
  }
  const { openPgliteStore } = await import("../store/pglite-store.js");
  return openPgliteStore({ dataDir: join(target.dataDir, PGLITE_SUBDIRECTORY) });
}
