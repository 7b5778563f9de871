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
const LOOKUPS: { name: string; sql: string; params?: string; args: string; index: RegExp }[] = [
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
  // The shapes migration 0012's batch statements reach their rows with: never a join of
  // the batch to a table (planned on an empty table, that reads the table whole).
  {
    name: "a batch of attempts by lease token (a LATERAL probe per token)",
    sql: `select a.phase from unnest($1) as t(token)
            cross join lateral (select q.phase from ops.phase_attempts q
                                 where q.lease_token = t.token offset 0) as a`,
    params: "text[]",
    args: "('{a,b}')",
    index:
      /Nested Loop[^\n]*\n(.*\n)*?\s+->\s+Index Scan using phase_attempts_pkey on phase_attempts q\s+.*\n\s+Index Cond: \(lease_token = t\.token\)/,
  },
  {
    name: "a batch of runs by id (= any)",
    sql: "update ops.runs set event_seq = event_seq + 1 where run_id = any ($1)",
    params: "uuid[]",
    args: `('{${randomUUID()}}')`,
    index:
      /Index Scan using runs_key_and_tenant on runs\s+.*\n\s+Index Cond: \(\(run_id = ANY \(\$1\)\)/,
  },
  {
    name: "a batch of phases by the ctids just locked",
    sql: "update ops.phases set attempt = attempt + 1 where ctid = any ($1)",
    params: "tid[]",
    args: "('{\"(0,1)\"}')",
    index: /Tid Scan on phases\s+.*\n\s+TID Cond: \(ctid = ANY \(\$1\)\)/,
  },
  {
    name: "the phases of a batch of runs (= any)",
    sql: "select count(*) from ops.phases where run_id = any ($1) group by run_id",
    params: "uuid[]",
    args: `('{${randomUUID()}}')`,
    index:
      /(Index (Only )?Scan using phases_(pkey|run_id_ordinal_key) on phases|Bitmap Index Scan on phases_(pkey|run_id_ordinal_key))\s+.*\n\s+Index Cond: \(run_id = ANY \(\$1\)\)/,
  },
];

type Query = (sql: string) => Promise<string[]>;

async function planLines(
  query: Query,
  sql: string,
  args: string,
  params = sql.includes("run_id = $1") ? "uuid" : "text",
): Promise<string> {
  await query(`prepare lookup(${params}) as ${sql}`);
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
      const plan = await planLines(getQuery(), lookup.sql, lookup.args, lookup.params);
      expect(plan).toMatch(lookup.index);
      expect(plan).not.toMatch(/runs_tenant_newest|Seq Scan/);
    });
  }

  // A later `create or replace` without the SET clauses would drop them silently.
  it("keeps the batch functions' plans generic and free of sequential scans", async () => {
    const rows = await getQuery()(
      `select proname, array_to_string(proconfig, ',') from pg_proc
        where pronamespace = 'ops'::regnamespace
          and proname in ('claim_phases', 'complete_phases')
        order by proname`,
    );
    expect(rows).toEqual([
      "claim_phases enable_seqscan=off,plan_cache_mode=force_generic_plan",
      "complete_phases enable_seqscan=off,plan_cache_mode=force_generic_plan",
    ]);
  });

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
