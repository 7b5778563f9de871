import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openPgliteStore, openPostgresStore, runMigrations } from "../src/index.js";
import { PGLITE_LOCK_FILE, pgliteDatabase } from "../src/store/pglite-store.js";
import { postgresDatabase } from "../src/store/postgres-store.js";
import { migrationsDirectory } from "../src/store/run-migrations.js";
import { claimsFor, phase, runBody } from "./fixtures.js";
import { databaseUrl } from "./store-harness.js";

const ALL_VERSIONS = readdirSync(migrationsDirectory())
  .filter((name) => /^\d{4}_.*\.sql$/.test(name))
  .map((name) => name.slice(0, 4))
  .sort();

describe("migrations on PGlite", () => {
  it("applies every migration once and nothing the second time", async () => {
    const db = await PGlite.create();
    try {
      expect((await runMigrations(pgliteDatabase(db))).applied).toEqual(ALL_VERSIONS);
      expect((await runMigrations(pgliteDatabase(db))).applied).toEqual([]);
      const rls = await db.query<{
        relname: string;
        relrowsecurity: boolean;
        relforcerowsecurity: boolean;
      }>(
        `select c.relname, c.relrowsecurity, c.relforcerowsecurity
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'ops' and c.relkind = 'r'`,
      );
      expect(rls.rows.length).toBe(9);
      for (const row of rls.rows) {
        expect(row.relrowsecurity && row.relforcerowsecurity, row.relname).toBe(true);
      }
    } finally {
      await db.close();
    }
  });

  it("keeps data in dataDir and holds a lock file while open", async () => {
    const parent = mkdtempSync(join(tmpdir(), "controlroom-pglite-"));
    const dataDir = join(parent, "db");
    try {
      const claims = claimsFor("admin");
      const store = await openPgliteStore({ dataDir });
      const { run } = await store.createRun(claims, runBody([phase("a")]), undefined);
      await expect(openPgliteStore({ dataDir })).rejects.toThrow(/held by process/);
      await store.close();
      // A lock left by a process that is gone is taken over.
      writeFileSync(join(dataDir, PGLITE_LOCK_FILE), "2147483646\n");
      const reopened = await openPgliteStore({ dataDir });
      try {
        expect((await reopened.getRun(claims, run.run_id)).run_id).toBe(run.run_id);
      } finally {
        await reopened.close();
      }
      expect(readdirSync(dataDir)).not.toContain(PGLITE_LOCK_FILE);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);
});

const serverUrl = inject("controlroomPostgresUrl");

describe.skipIf(serverUrl === null)("migrations on Postgres", () => {
  const name = `cr_mig_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let admin: postgres.Sql;

  beforeAll(async () => {
    admin = postgres(serverUrl ?? "", { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("is safe from two servers at once: one applies, the other waits and finds nothing", async () => {
    const url = databaseUrl(serverUrl ?? "", name);
    const one = postgres(url, { max: 1, onnotice: () => undefined });
    const two = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      const results = await Promise.all([
        runMigrations(postgresDatabase(one)),
        runMigrations(postgresDatabase(two)),
      ]);
      const applied = results.map((r) => r.applied).sort((a, b) => b.length - a.length);
      expect(applied).toEqual([ALL_VERSIONS, []]);
    } finally {
      await one.end();
      await two.end();
    }
    // A store opened on the migrated database migrates nothing and works.
    const store = await openPostgresStore({ url, max: 2 });
    try {
      const claims = claimsFor("operator");
      const { created } = await store.createRun(claims, runBody([phase("a")]), undefined);
      expect(created).toBe(true);
    } finally {
      await store.close();
    }
  });
});
