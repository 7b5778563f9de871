import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { OpsStore } from "../ops-store.js";
import { acquireLockFile } from "./lock-file.js";
import { runMigrations } from "./run-migrations.js";
import type { SqlClient, SqlDatabase } from "./sql-database.js";
import { SqlOpsStore } from "./sql-ops-store.js";
import { WAKE_CHANNELS, wakeSignalOf } from "./wake-channels.js";

/** Options of {@link openPgliteStore}. */
export interface PgliteStoreOptions {
  /**
   * Directory that keeps the database between starts; created when missing and locked
   * with a `.controlroom.lock` file while open.
   * @default undefined (in memory: everything is lost on close)
   */
  dataDir?: string | undefined;
  /**
   * Apply pending migrations when opening.
   * @default true
   */
  migrate?: boolean | undefined;
}

/** The name of the lock file kept in a PGlite data directory while a store has it open. */
export const PGLITE_LOCK_FILE = ".controlroom.lock";

interface PgliteQueryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(text: string): Promise<unknown>;
}

/** Adapts a PGlite connection or transaction to {@link SqlClient}. */
export function pgliteClient(db: PgliteQueryable): SqlClient {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(text, [...params]);
      return result.rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
  };
}

/** Adapts a PGlite instance to {@link SqlDatabase}; PGlite serialises its transactions. */
export function pgliteDatabase(db: PGlite): SqlDatabase {
  return {
    transaction: (fn) => db.transaction((tx) => fn(pgliteClient(tx))),
  };
}

/**
 * Builds a store on an open PGlite instance (migrated unless `migrate: false`);
 * `onClose` runs after the instance is closed. Tests use it to start from a snapshot.
 */
export async function createPgliteStore(
  db: PGlite,
  options: { migrate?: boolean | undefined; onClose?: (() => void) | undefined } = {},
): Promise<SqlOpsStore> {
  const database = pgliteDatabase(db);
  if (options.migrate !== false) await runMigrations(database);
  const unlisteners: (() => Promise<void>)[] = [];
  const store = new SqlOpsStore({
    // A statement outside a transaction waits for a transaction in progress, so it
    // never runs inside someone else's (PGlite has one connection).
    async query<Row>(text: string, params: readonly unknown[]) {
      return (await db.query<Row>(text, [...params])).rows;
    },
    async close() {
      for (const unlisten of unlisteners) await unlisten();
      await db.close();
      options.onClose?.();
    },
  });
  // NOTIFY from the SQL functions reaches this process only, which is all an
  // embedded database has: wake-ups stay in process.
  for (const channel of Object.values(WAKE_CHANNELS)) {
    unlisteners.push(
      await db.listen(channel, (payload) => {
        const signal = wakeSignalOf(channel, payload);
        if (signal) store.wake(signal);
      }),
    );
  }
  return store;
}

/**
 * Opens the embedded control-plane store: PGlite (Postgres in WASM) in `dataDir`, or in
 * memory. One connection, so transactions run one at a time; wake-ups stay in process.
 * The first start takes a few seconds (WASM initialisation).
 *
 * @example
 * ```ts
 * const store = await openPgliteStore({ dataDir: ".controlroom/db" });
 * const run = await store.getRun(claims, runId);
 * await store.close();
 * ```
 */
export async function openPgliteStore(options: PgliteStoreOptions = {}): Promise<OpsStore> {
  if (options.dataDir === undefined) return openInMemory(options.migrate !== false);
  mkdirSync(options.dataDir, { recursive: true });
  const release = acquireLockFile(join(options.dataDir, PGLITE_LOCK_FILE));
  try {
    const db = await PGlite.create({ dataDir: options.dataDir });
    return await storeOrClose(db, () =>
      createPgliteStore(db, { migrate: options.migrate, onClose: release }),
    );
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * A migrated, empty database as a tarball, taken from the first in-memory store of this
 * process: later in-memory stores load it in about a second instead of a cold start
 * plus migrations (tests and demos open many).
 */
let migratedSnapshot: Promise<Blob | File> | undefined;

async function openInMemory(migrate: boolean): Promise<SqlOpsStore> {
  const snapshot = migrate ? await migratedSnapshot?.catch(() => undefined) : undefined;
  if (snapshot !== undefined) {
    const db = await PGlite.create({ loadDataDir: snapshot });
    return storeOrClose(db, () => createPgliteStore(db));
  }
  const db = await PGlite.create();
  return storeOrClose(db, async () => {
    if (migrate) {
      await runMigrations(pgliteDatabase(db));
      migratedSnapshot ??= db.dumpDataDir("none");
      // Without a snapshot later stores just start cold; this one is fine either way.
      await migratedSnapshot.catch(() => undefined);
    }
    return createPgliteStore(db, { migrate: false });
  });
}

async function storeOrClose(db: PGlite, build: () => Promise<SqlOpsStore>): Promise<SqlOpsStore> {
  try {
    return await build();
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
