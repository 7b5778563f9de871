import { PGlite } from "@electric-sql/pglite";
import type { OpsStore } from "../ops-store.js";
import { createPgliteStore, pgliteDatabase } from "../store/pglite-store.js";
import { runMigrations } from "../store/run-migrations.js";

let snapshot: Promise<Blob> | undefined;

/**
 * Opens an in-memory PGlite store from a migrated snapshot kept for the life of the
 * process. The first call pays for WASM start-up and migrations once; later ones load
 * the snapshot (well under half the time), which matters to test suites that start a
 * fresh control plane per test.
 *
 * @example
 * ```ts
 * const store = await openMemoryStore();
 * ```
 */
export async function openMemoryStore(): Promise<OpsStore> {
  snapshot ??= migratedSnapshot().catch((error: unknown) => {
    snapshot = undefined;
    throw error;
  });
  const db = await PGlite.create({ loadDataDir: await snapshot });
  try {
    return await createPgliteStore(db, { migrate: false });
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

async function migratedSnapshot(): Promise<Blob> {
  const db = await PGlite.create();
  try {
    await runMigrations(pgliteDatabase(db));
    return await db.dumpDataDir("none");
  } finally {
    await db.close();
  }
}
