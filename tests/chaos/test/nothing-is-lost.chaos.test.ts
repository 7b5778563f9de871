import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { signToken } from "@controlroom/control-plane";
import { ControlRoomClient } from "@controlroom/sdk";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { chaosRunPhases } from "../src/chaos-executor.js";
import { readSideEffects } from "../src/side-effects.js";
import "./provided-context.js";
import { ChaosMonkey } from "./chaos-monkey.js";
import { chaosOptionsFromEnv } from "./chaos-options.js";
import { ChaosProcess } from "./chaos-process.js";
import { formatReport } from "./chaos-report.js";
import { loadSnapshot } from "./chaos-snapshot.js";
import { checkApi } from "./check-api.js";
import { checkArtifacts } from "./check-artifacts.js";
import { checkLeases } from "./check-leases.js";
import { checkOutputs } from "./check-outputs.js";
import { checkTrails } from "./check-trails.js";
import { cutConnections, listeningBackends } from "./database-cut.js";
import { Findings } from "./findings.js";
import { SeededRandom } from "./seeded-random.js";
import { waitFor } from "./wait-for.js";
import { WorkerPool } from "./worker-pool.js";

const adminUrl = inject("controlroomPostgresUrl");
const options = chaosOptionsFromEnv();
/** The server's `application_name`, so its connections (and only those) can be cut. */
const SERVER_APPLICATION = "controlroom-chaos-server";
const TENANT = "chaos";
const TERMINAL = ["succeeded", "failed", "cancelled"];

describe.skipIf(adminUrl === null)("chaos: nothing is lost", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(
    `${options.runs} runs × 4 phases, ${options.workers} workers SIGKILLed at random, one database cut`,
    async () => {
      const started = Date.now();
      const random = new SeededRandom(options.seed);
      const pacing = new SeededRandom(options.seed + 1);
      const work = await mkdtemp(join(tmpdir(), "controlroom-chaos-"));
      let passed = false;
      cleanups.push(async () => {
        if (passed) await rm(work, { recursive: true, force: true });
        else console.log(`chaos: logs, side effects and objects kept in ${work}`);
      });

      // A database of its own on the test Postgres server.
      const database = `chaos_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const admin = postgres(adminUrl!, { max: 2, onnotice: () => undefined });
      cleanups.push(async () => {
        try {
          await admin.unsafe(`drop database if exists ${database} with (force)`);
        } finally {
          await admin.end();
        }
      });
      await admin.unsafe(`create database ${database}`);
      const databaseUrl = new URL(adminUrl!);
      databaseUrl.pathname = `/${database}`;
      const serverDatabaseUrl = new URL(databaseUrl);
      serverDatabaseUrl.searchParams.set("application_name", SERVER_APPLICATION);
      const db = postgres(databaseUrl.toString(), { max: 2, onnotice: () => undefined });
      cleanups.push(() => db.end());

      const succeededPhases = async () => {
        const [row] = await db<{ n: number }[]>`
          select count(*)::int as n from ops.phases where status = 'succeeded'`;
        return row?.n ?? 0;
      };

      // The control plane, as its own process.
      const jwtSecret = randomBytes(32).toString("base64url");
      const server = ChaosProcess.start({
        name: "server",
        script: "src/chaos-server.ts",
        env: {
          CHAOS_DATABASE_URL: serverDatabaseUrl.toString(),
          CONTROLROOM_JWT_SECRET: jwtSecret,
        },
        logFile: join(work, "server.log"),
      });
      cleanups.push(() => server.stop(10_000));
      const url = await server.waitForLine((line) => {
        try {
          return (JSON.parse(line) as { listening?: string }).listening;
        } catch {
          return undefined;
        }
      }, 120_000);
      const token = (role: "admin" | "executor", sub: string) =>
        signToken({ secret: jwtSecret, tenant_id: TENANT, role, sub, expiresIn: "12h" });
      const client = new ControlRoomClient({ baseUrl: url, token: await token("admin", "chaos") });

      // The workers, and the monkey that kills them.
      const pool = new WorkerPool({
        count: options.workers,
        logDir: work,
        env: {
          CONTROLROOM_URL: url,
          CONTROLROOM_TOKEN: await token("executor", "chaos-worker"),
          CHAOS_DIR: work,
          CHAOS_CONCURRENCY: String(options.concurrency),
        },
      });
      cleanups.push(() => pool.stopAll(10_000));
      pool.startAll();
      const monkey = new ChaosMonkey({
        pool,
        random,
        killEvery: options.killEvery,
        killDelayMs: options.killDelayMs,
        restartDelayMs: options.restartDelayMs,
        progress: succeededPhases,
        leaseHolders: async () =>
          (
            await db<{ claimed_by: string }[]>`
              select claimed_by from ops.phases
               where status in ('claimed', 'running') and claimed_by is not null`
          ).map((row) => row.claimed_by),
      });
      cleanups.push(() => monkey.stop());
      monkey.start();

      // Runs arrive while workers die.
      const runIds: string[] = [];
      const phases = chaosRunPhases({ failRate: options.failRate });
      const creating = (async () => {
        for (let index = 0; index < options.runs; index++) {
          const run = await client.runs.create({
            spec_slug: "chaos",
            git_sha: "c".repeat(40),
            environment: "dev",
            input_manifest: { index, seed: options.seed },
            labels: { seed: String(options.seed) },
            phases,
          });
          runIds.push(run.run_id);
          await sleep(pacing.between(...options.createIntervalMs));
        }
      })();
      // Awaited below; handled now so a failure while the test waits is not "unhandled".
      creating.catch(() => undefined);
      cleanups.push(() => creating);

      // Once a quarter of the work is done, cut the server's database connections.
      const total = options.runs * phases.length;
      await waitFor(
        `a quarter of ${total} phases to succeed`,
        async () => (await succeededPhases()) >= Math.max(1, Math.floor(total / 4)),
        { timeoutMs: options.deadlineMs },
      );
      const listenersBefore = await listeningBackends(admin, database, SERVER_APPLICATION);
      const connectionsCut = await cutConnections(admin, database, SERVER_APPLICATION);
      expect(connectionsCut, "the server had database connections to cut").toBeGreaterThan(0);
      // Recovered: it listens again on a new connection and answers reads from the database.
      await waitFor(
        "the server to LISTEN again on a new connection",
        async () => {
          const pids = await listeningBackends(admin, database, SERVER_APPLICATION);
          return pids.length > 0 && pids.every((pid) => !listenersBefore.includes(pid));
        },
        { timeoutMs: 60_000 },
      ).catch(async (error: unknown) => {
        console.log(
          `chaos: LISTEN backends before the cut ${listenersBefore}; the server's backends now:`,
          await admin`select pid, state, backend_start, query from pg_stat_activity
                       where datname = ${database} and application_name = ${SERVER_APPLICATION}`,
        );
        throw error;
      });
      await waitFor(
        "the server to answer from the database",
        () => client.runs.list({ limit: 1 }),
        {
          timeoutMs: 60_000,
        },
      );

      // Every run ends.
      await creating;
      try {
        await waitFor(
          `all ${options.runs} runs to end`,
          async () => {
            const [row] = await db<{ n: number }[]>`
              select count(*)::int as n from ops.runs where status in ${db(TERMINAL)}`;
            return (row?.n ?? 0) >= options.runs;
          },
          { timeoutMs: options.deadlineMs, intervalMs: 500 },
        );
      } catch (error) {
        const stuck = await db`
          select r.run_id, r.status, p.name, p.status as phase_status, p.attempt,
                 p.claimed_by, p.lease_expires_at, p.next_attempt_at, p.last_error
            from ops.runs r join ops.phases p using (run_id)
           where r.status not in ${db(TERMINAL)} order by r.created_at, p.ordinal limit 40`;
        console.log("chaos: runs that did not end\n", stuck);
        throw error;
      }
      await monkey.stop();
      // Gracefully now: nothing is left running while the checks read.
      await pool.stopAll(10_000);

      const findings = new Findings();
      const snapshot = await loadSnapshot(db);
      const sideEffects = await readSideEffects(join(work, "side-effects"));
      checkLeases(snapshot, findings);
      checkTrails(snapshot, findings);
      checkOutputs(snapshot, sideEffects, findings);
      await checkArtifacts(snapshot, client, findings);
      await checkApi(snapshot, client, runIds, findings);

      const report = formatReport(
        {
          seed: options.seed,
          workers: options.workers,
          concurrency: options.concurrency,
          kills: monkey.kills,
          aimedKills: monkey.aimedKills,
          workerStarts: pool.starts,
          connectionsCut,
          durationMs: Date.now() - started,
        },
        findings,
      );
      console.log(report);
      await writeFile(join(work, "report.txt"), `${report}\n`);

      expect(findings.violations).toEqual([]);
      expect(findings.get("runs")).toBe(options.runs);
      expect(findings.get("phases")).toBe(total);
      if (options.runs >= 10) {
        // Sanity: the chaos really happened (a tiny CHAOS_RUNS may end before it does).
        expect(monkey.kills).toBeGreaterThan(0);
        expect(findings.get("lease expiries")).toBeGreaterThan(0);
      }
      passed = true;
    },
    options.deadlineMs + 5 * 60_000,
  );
});
