import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runMigrations } from "../src/index.js";
import { pgliteDatabase } from "../src/store/pglite-store.js";
import { postgresDatabase } from "../src/store/postgres-store.js";
import { databaseUrl } from "./store-harness.js";

// The plans a new database gives the executor's key lookups, made as PL/pgSQL makes them
// (generic, cached for the connection) while the tables are empty, as the caller under
// RLS, with the functions' enable_seqscan = off. Each must reach its row by its key: a
// plan that walks the tenant's rows instead is as fast on an empty table and is kept
// while the table grows (migration 0011).
const LOOKUPS: { name: string; sql: string; args: string; index: RegExp }[] = [
  {
    name: "an attempt by its lease token",
    sql: "update ops.phase_attempts set finished_at = now() where lease_token = $1",
    args: "('token')",
    index:
      /Index Scan using phase_attempts_pkey on phase_attempts\s+.*\n\s+Index Cond: \(lease_token = \$1\)/,
  },
  {
    name: "a run by its id",
    sql: "update ops.runs set event_seq = event_seq + 1 where run_id = $1",
    args: `('${randomUUID()}')`,
    index: /Index Scan using runs_key_and_tenant on runs\s+.*\n\s+Index Cond: \(\(run_id = \$1\)/,
  },
  {
    name: "a lease's attempt, phase and run (ops.lease_json's join)",
    sql: `select r.spec_slug, p.params from ops.phase_attempts a
            join ops.phases p on p.run_id = a.run_id and p.name = a.phase
            join ops.runs r on r.run_id = a.run_id
           where a.lease_token = $1`,
    args: "('token')",
    index:
      /Index Scan using runs_key_and_tenant on runs r\s+.*\n\s+Index Cond: \(\(run_id = a\.run_id\)/,
  },
];

type Query = (sql: string) => Promise<string[]>;

async function planLines(query: Query, sql: string, args: string): Promise<string> {
  await query(`prepare lookup(${sql.includes("run_id = $1") ? "uuid" : "text"}) as ${sql}`);
  try {
    return (await query(`explain execute lookup${args}`)).join("\n");
  } finally {
    await query("deallocate lookup");
  }
}

async function asExecutor(query: Query): Promise<void> {
  await query(
    `select set_config('request.jwt.claims', '{"sub":"w","tenant_id":"t1","role":"executor"}', false)`,
  );
  await query("set role authenticated");
  await query("set plan_cache_mode = force_generic_plan");
  await query("set enable_seqscan = off");
}

function expectKeyPlans(getQuery: () => Query): void {
  for (const lookup of LOOKUPS) {
    it(`reaches ${lookup.name} by its key`, async () => {
      const plan = await planLines(getQuery(), lookup.sql, lookup.args);
      expect(plan).toMatch(lookup.index);
      expect(plan).not.toMatch(/runs_tenant_newest|Seq Scan/);
    });
  }

  it("keeps runs_tenant_newest for listing a tenant's runs", async () => {
    const plan = await planLines(
      getQuery(),
      `select run_id from ops.runs where tenant_id = $1 and created_at > '-infinity'
        order by created_at desc, run_id desc limit 51`,
      "('t1')",
    );
    expect(plan).toMatch(/Index (Only )?Scan using runs_tenant_newest/);
  });
}

describe("key lookups on a new PGlite database", () => {
  let db: PGlite;
  const query: Query = async (sql) =>
    (await db.query<Record<string, string>>(sql)).rows.map((row) => Object.values(row).join(" "));

  beforeAll(async () => {
    db = await PGlite.create();
    await runMigrations(pgliteDatabase(db));
    await asExecutor(query);
  }, 60_000);
  afterAll(async () => {
    await db.close();
  });

  expectKeyPlans(() => query);
});

const serverUrl = inject("controlroomPostgresUrl");

describe.skipIf(serverUrl === null)("key lookups on a new Postgres database", () => {
  const name = `cr_plans_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let admin: postgres.Sql;
  let sql: postgres.ReservedSql;
  let pool: postgres.Sql;
  const query: Query = async (text) =>
    (await sql.unsafe(text)).map((row) => Object.values(row).join(" "));

  beforeAll(async () => {
    admin = postgres(serverUrl ?? "", { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    pool = postgres(databaseUrl(serverUrl ?? "", name), { max: 1, onnotice: () => undefined });
    await runMigrations(postgresDatabase(pool));
    sql = await pool.reserve();
    await asExecutor(query);
  }, 60_000);
  afterAll(async () => {
    sql?.release();
    await pool?.end();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  expectKeyPlans(() => query);
});
