import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { inject } from "vitest";
import type { AuthClaims } from "../src/ops-store.js";
import { createPgliteStore, pgliteDatabase } from "../src/store/pglite-store.js";
import { openPostgresStore, postgresDatabase } from "../src/store/postgres-store.js";
import { runMigrations } from "../src/store/run-migrations.js";
import type { SqlDatabase } from "../src/store/sql-database.js";
import type { SqlOpsStore } from "../src/store/sql-ops-store.js";

/** One fresh, migrated database with a store on it and direct SQL access to it. */
export interface StoreHarness {
  store: SqlOpsStore;
  /** Direct SQL as the owner (bypasses RLS): to move time and to inspect rows. */
  owner<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Direct SQL as the `authenticated` role with `claims`, the way a Supabase client runs. */
  asCaller<Row = Record<string, unknown>>(
    claims: AuthClaims,
    text: string,
    params?: unknown[],
  ): Promise<Row[]>;
  close(): Promise<void>;
}

/** A store driver under test: prepared once per file, opened fresh per test. */
export interface StoreDriver {
  name: "pglite" | "postgres";
  /** False when the Postgres suites are skipped (CONTROLROOM_SKIP_POSTGRES=1). */
  available: boolean;
  /** Whether transactions really run concurrently (Postgres) or one at a time (PGlite). */
  concurrent: boolean;
  prepare(): Promise<void>;
  open(): Promise<StoreHarness>;
  dispose(): Promise<void>;
}

function harnessOver(
  store: SqlOpsStore,
  db: SqlDatabase,
  close: () => Promise<void>,
): StoreHarness {
  return {
    store,
    owner: (text, params = []) => db.transaction((client) => client.query(text, params)),
    asCaller: (claims, text, params = []) =>
      db.transaction(async (client) => {
        await client.query(
          "select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)",
          [JSON.stringify(claims)],
        );
        return client.query(text, params);
      }),
    close,
  };
}

/**
 * PGlite: migrate once per file, dump the data directory, and start each test from that
 * snapshot (about a second instead of a cold start plus migrations).
 */
export function pgliteDriver(): StoreDriver {
  let snapshot: Blob | File | undefined;
  return {
    name: "pglite",
    available: true,
    concurrent: false,
    async prepare() {
      const db = await PGlite.create();
      await runMigrations(pgliteDatabase(db));
      snapshot = await db.dumpDataDir("none");
      await db.close();
    },
    async open() {
      if (!snapshot) throw new Error("pgliteDriver.prepare() was not called");
      const db = await PGlite.create({ loadDataDir: snapshot });
      const store = await createPgliteStore(db, { migrate: false });
      return harnessOver(store, pgliteDatabase(db), () => store.close());
    },
    async dispose() {
      snapshot = undefined;
    },
  };
}

/**
 * Postgres: one migrated template database per file, and a fresh database cloned from
 * it for every test (CREATE DATABASE … TEMPLATE), so tests never see each other's rows.
 */
export function postgresDriver(options: { max?: number } = {}): StoreDriver {
  const serverUrl = inject("controlroomPostgresUrl");
  const prefix = `cr_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const template = `${prefix}_tpl`;
  let admin: postgres.Sql | undefined;
  let count = 0;
  return {
    name: "postgres",
    available: serverUrl !== null,
    concurrent: true,
    async prepare() {
      if (serverUrl === null) return;
      admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`create database ${template}`);
      const sql = postgres(databaseUrl(serverUrl, template), { max: 1, onnotice: () => undefined });
      try {
        await runMigrations(postgresDatabase(sql));
      } finally {
        await sql.end();
      }
    },
    async open() {
      if (serverUrl === null || admin === undefined) throw new Error("Postgres is not available");
      const name = `${prefix}_${++count}`;
      await admin.unsafe(`create database ${name} template ${template}`);
      const url = databaseUrl(serverUrl, name);
      const store = (await openPostgresStore({
        url,
        max: options.max ?? 20,
        migrate: false,
      })) as SqlOpsStore;
      const ownerSql = postgres(url, { max: 2, onnotice: () => undefined });
      const adminSql = admin;
      return harnessOver(store, postgresDatabase(ownerSql), async () => {
        await store.close();
        await ownerSql.end();
        await adminSql.unsafe(`drop database if exists ${name} with (force)`);
      });
    },
    async dispose() {
      if (admin === undefined) return;
      await admin.unsafe(`drop database if exists ${template} with (force)`);
      await admin.end();
      admin = undefined;
    },
  };
}

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
