import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { inject } from "vitest";
import type { PostgresConnection } from "../src/postgres/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test Postgres server; null when CONTROLROOM_SKIP_POSTGRES=1. */
    controlroomPostgresUrl: string | null;
  }
}

/** A fresh, empty database on one driver, with SQL access for setting up tables. */
export interface TestDatabase {
  connection: PostgresConnection;
  /** Runs a script (several statements, no parameters). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** A driver the Postgres source tests run on. */
export interface TestDriver {
  name: "pglite" | "postgres";
  /** False when CONTROLROOM_SKIP_POSTGRES=1 left the suite without a server. */
  available: boolean;
  open(): Promise<TestDatabase>;
}

// A cold PGlite start takes seconds; one from a dumped empty data directory about half
// a second, so the first start is dumped and reused.
let emptyDataDir: Promise<Blob | File> | undefined;

/** PGlite in memory: one instance per database. */
export const pgliteDriver: TestDriver = {
  name: "pglite",
  available: true,
  async open() {
    emptyDataDir ??= PGlite.create().then(async (first) => {
      const dump = await first.dumpDataDir("none");
      await first.close();
      return dump;
    });
    const pg = await PGlite.create({ loadDataDir: await emptyDataDir });
    return {
      connection: pg,
      exec: async (script) => {
        await pg.exec(script);
      },
      close: () => pg.close(),
    };
  },
};

/**
 * Postgres 15 from the workspace's vitest globalSetup (packages/control-plane/test/
 * global-setup.ts): one throwaway database per test, dropped afterwards.
 */
export function postgresDriver(): TestDriver {
  const serverUrl = inject("controlroomPostgresUrl");
  return {
    name: "postgres",
    available: serverUrl !== null,
    async open() {
      if (serverUrl === null) throw new Error("Postgres is not available");
      const name = `cr_src_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const sql = postgres(url.toString(), { max: 2, onnotice: () => undefined });
      return {
        connection: sql,
        exec: async (script) => {
          await sql.unsafe(script);
        },
        close: async () => {
          await sql.end();
          await admin.unsafe(`drop database if exists ${name} with (force)`);
          await admin.end();
        },
      };
    },
  };
}

/** Both drivers, for `describe.each`. */
export function testDrivers(): TestDriver[] {
  return [pgliteDriver, postgresDriver()];
}
