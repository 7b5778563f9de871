import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runMigrations } from "../src/index.js";
import { postgresDatabase } from "../src/store/postgres-store.js";
import { databaseUrl } from "./store-harness.js";

// What the batch functions' statements read once their plans were made on a new database
// and the tables then grew (migrations 0011, 0012). PL/pgSQL keeps a plan per statement
// per connection; here every plan is generic from the first call, made while the tables
// hold a handful of rows, and autovacuum is off so no ANALYZE replaces them. Then the
// tables grow (1,500 runs, their first phases claimed and completed in large batches) and
// two more batches run under auto_explain (actual rows and buffers of every nested
// statement): no scan may walk the tenant's rows to find a batch's few.

const TENANT = "t1";
const RUN_SPEC = JSON.stringify({
  spec_slug: "plans",
  git_sha: "0".repeat(40),
  environment: "dev",
  phases: [
    { name: "a", kind: "custom", depends_on: [], retry: { max_attempts: 1 } },
    { name: "b", kind: "custom", depends_on: ["a"], retry: { max_attempts: 1 } },
  ],
  input_manifest: {},
  labels: {},
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Join Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

interface LoggedPlan {
  "Query Text": string;
  Plan: PlanNode;
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

/** Scan nodes that read many rows or buffers, with the statement they belong to. */
function wideScans(plans: LoggedPlan[]): string[] {
  const found: string[] = [];
  for (const logged of plans) {
    for (const node of nodesOf(logged.Plan)) {
      if (!node["Node Type"].endsWith("Scan") || node["Node Type"] === "Function Scan") continue;
      const removed =
        (node["Rows Removed by Filter"] ?? 0) +
        (node["Rows Removed by Join Filter"] ?? 0) +
        (node["Rows Removed by Index Recheck"] ?? 0);
      const blocks = (node["Shared Hit Blocks"] ?? 0) + (node["Shared Read Blocks"] ?? 0);
      // A batch of two reads a few rows per key; the tables hold thousands.
      if (removed > 100 || blocks > 200) {
        found.push(
          `${node["Node Type"]} on ${node["Relation Name"] ?? "?"} via ${node["Index Name"] ?? "-"}: ` +
            `${removed} rows removed, ${blocks} buffers, in: ${logged["Query Text"].replace(/\s+/g, " ").slice(0, 120)}`,
        );
      }
    }
  }
  return found;
}

const serverUrl = inject("controlroomPostgresUrl");

describe.skipIf(serverUrl === null)("batch statements on a grown new database (Postgres)", () => {
  const name = `cr_batch_plans_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let admin: postgres.Sql;
  let pool: postgres.Sql;
  let sql: postgres.ReservedSql;
  const notices: string[] = [];

  async function as(role: "operator" | "executor"): Promise<void> {
    await sql.unsafe(
      `select set_config('request.jwt.claims', '${JSON.stringify({ sub: "w", tenant_id: TENANT, role })}', false)`,
    );
    await sql.unsafe("set role authenticated");
  }

  async function createRuns(count: number): Promise<void> {
    await as("operator");
    await sql.unsafe(
      "select count(ops.create_run($1::text::jsonb, null)) from generate_series(1, $2::int)",
      [RUN_SPEC, count],
    );
    await sql.unsafe("reset role");
  }

  /** Claims up to `max` phases and completes them, as a worker's batch would. */
  async function claimAndComplete(max: number): Promise<number> {
    await as("executor");
    const [claimed] = await sql.unsafe<{ leases: { run_id: string; lease_token: string }[] }[]>(
      "select ops.claim_phases('w1', '{}', '{dev}', $1::uuid, null, true, $2::int) as leases",
      [randomUUID(), max],
    );
    const leases = claimed?.leases ?? [];
    if (leases.length > 0) {
      const items = leases.map((lease) => ({
        run_id: lease.run_id,
        lease_token: lease.lease_token,
        status: "succeeded",
        output: { ok: true },
        // The attempt's last events ride along (0016): each is probed for by its key.
        events: [1, 2].map((n) => ({
          event_id: randomUUID(),
          phase: null,
          type: "LOG",
          ts: new Date().toISOString(),
          level: "info",
          message: `log ${n}`,
          payload: {},
        })),
      }));
      await sql.unsafe("select ops.complete_phases($1::text::jsonb)", [JSON.stringify(items)]);
    }
    await sql.unsafe("reset role");
    return leases.length;
  }

  beforeAll(async () => {
    admin = postgres(serverUrl ?? "", { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    pool = postgres(databaseUrl(serverUrl ?? "", name), {
      max: 1,
      onnotice: (notice) => notices.push(String(notice.message)),
    });
    await runMigrations(postgresDatabase(pool));
    sql = await pool.reserve();
    for (const table of ["runs", "phases", "phase_attempts", "run_events"]) {
      await sql.unsafe(`alter table ops.${table} set (autovacuum_enabled = off)`);
    }
    await sql.unsafe("set plan_cache_mode = force_generic_plan");
    // Plans made on nearly empty tables: a few runs, each batch function called often
    // enough to have cached every statement, including promotion and a run's end.
    await createRuns(4);
    for (let i = 0; i < 8; i += 1) await claimAndComplete(2);
    // Growth: every table but two of the new runs' first phases.
    await createRuns(1_500);
    for (let i = 0; i < 14; i += 1) await claimAndComplete(100);
    await claimAndComplete(98);
  }, 120_000);

  afterAll(async () => {
    sql?.release();
    await pool?.end();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it("reaches a batch's rows by key when the tables have grown", async () => {
    // Two batches under auto_explain: the first claims the last two first phases, and its
    // completions promote their runs' second phases; the second claims two second phases
    // (the oldest runnable), and its completions end their runs.
    await sql.unsafe("load 'auto_explain'");
    await sql.unsafe(`set auto_explain.log_min_duration = 0;
      set auto_explain.log_analyze = on;
      set auto_explain.log_buffers = on;
      set auto_explain.log_timing = off;
      set auto_explain.log_nested_statements = on;
      set auto_explain.log_format = json;
      set auto_explain.log_level = notice`);
    notices.length = 0;
    let claimed = 0;
    for (let i = 0; i < 2; i += 1) claimed += await claimAndComplete(2);
    await sql.unsafe("set auto_explain.log_min_duration = -1");

    const plans = notices
      .map((message) => message.slice(message.indexOf("{")))
      .filter((text) => text.startsWith("{"))
      .map((text) => JSON.parse(text) as LoggedPlan);
    const texts = plans.map((plan) => plan["Query Text"]).join("\n");
    expect(claimed).toBe(4);
    // The batch functions' own statements were logged (the check is not vacuous).
    expect(texts).toMatch(/update ops\.phases p\s+set status = 'succeeded'/);
    expect(texts).toMatch(/insert into ops\.phase_attempts/);
    expect(texts).toMatch(/insert into ops\.run_events/);
    expect(texts).toMatch(/set status = 'runnable'/);
    expect(texts).toMatch(/with settled as/);
    expect(texts).toMatch(/select true from ops\.run_events x/);
    expect(wideScans(plans)).toEqual([]);
  });
});
