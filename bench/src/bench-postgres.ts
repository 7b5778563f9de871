import postgres from "postgres";
// The same throwaway cluster the control-plane test suites start (trust auth, its own
// port and socket directory, fsync/synchronous_commit/full_page_writes off).
import { startTestCluster } from "../../packages/control-plane/test/postgres-cluster.js";

/** A fresh database on the benchmark server, dropped after one measurement. */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** The Postgres server every benchmark runs on. */
export interface BenchPostgres {
  /** URL of the server's maintenance database (given or started). */
  url: string;
  /** True when CONTROLROOM_BENCH_DATABASE_URL (or `--database-url`) named it. */
  given: boolean;
  /** Creates an empty database, so each measurement starts without the last one's rows. */
  createDatabase(label: string): Promise<BenchDatabase>;
  /** Stops a cluster this process started; leaves a given server alone. */
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Connects to the given server, or starts a throwaway Postgres 15 cluster the way the
 * test suites do. Every measurement gets its own database on it (`CREATE DATABASE`, so a
 * given server needs a role with CREATEDB), which keeps one contender's dead rows and
 * bloat from slowing the next; inside it each system uses its own schema (`ops`,
 * `graphile_worker`, `pgboss`).
 */
export async function startBenchPostgres(givenUrl: string | undefined): Promise<BenchPostgres> {
  // graphile-worker holds a connection per job in flight: 256 in flight needs more than
  // the test suites' 200.
  const cluster = givenUrl ? undefined : await startTestCluster({ maxConnections: 400 });
  const url = givenUrl ?? (cluster as { url: string }).url;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  return {
    url,
    given: givenUrl !== undefined,
    async createDatabase(label) {
      const name = `bench_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${process.pid}_${++counter}`;
      await admin.unsafe(`create database ${name}`);
      // Each measurement starts with no dirty buffers left by the one before (its rows,
      // its dropped database), so that none pays for another's checkpoint. A given server
      // may not allow it (PG 15: superuser or pg_checkpoint): then it is skipped.
      await admin.unsafe("checkpoint").catch(() => undefined);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return {
        name,
        url: target.toString(),
        async drop() {
          await admin.unsafe(`drop database if exists ${name} with (force)`);
        },
      };
    },
    async stop() {
      await admin.end({ timeout: 2 });
      await cluster?.stop();
    },
  };
}
