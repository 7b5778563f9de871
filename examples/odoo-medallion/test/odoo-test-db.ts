import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { inject } from "vitest";
import {
  loadOdooSchema,
  type OdooDatabase,
  pgliteOdooDatabase,
  postgresOdooDatabase,
} from "../src/odoo/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test Postgres server; null when CONTROLROOM_SKIP_POSTGRES=1. */
    controlroomPostgresUrl: string | null;
  }
}

/** A fresh database with the Odoo schema, and its raw client for the source adapter. */
export interface OdooTestDatabase {
  db: OdooDatabase;
  client: PGlite | postgres.Sql;
  close(): Promise<void>;
}

/** A driver the example's tests run on. */
export interface OdooTestDriver {
  name: "pglite" | "postgres";
  available: boolean;
  open(): Promise<OdooTestDatabase>;
}

// The schema is created once, dumped, and each PGlite test starts from the dump.
let schemaDump: Promise<Blob | File> | undefined;

export const pgliteOdoo: OdooTestDriver = {
  name: "pglite",
  available: true,
  async open() {
    schemaDump ??= PGlite.create().then(async (pg) => {
      await loadOdooSchema(pgliteOdooDatabase(pg));
      const dump = await pg.dumpDataDir("none");
      await pg.close();
      return dump;
    });
    const client = await PGlite.create({ loadDataDir: await schemaDump });
    return { db: pgliteOdooDatabase(client), client, close: () => client.close() };
  },
};

/** Postgres 15 from the workspace's vitest globalSetup: one database per test. */
export function postgresOdoo(): OdooTestDriver {
  const serverUrl = inject("controlroomPostgresUrl");
  return {
    name: "postgres",
    available: serverUrl !== null,
    async open() {
      if (serverUrl === null) throw new Error("Postgres is not available");
      const name = `cr_odoo_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      // One connection: the seeder's session settings must apply to its COPYs.
      const client = postgres(url.toString(), { max: 1, onnotice: () => undefined });
      const db = postgresOdooDatabase(client);
      await loadOdooSchema(db);
      return {
        db,
        client,
        close: async () => {
          await client.end();
          await admin.unsafe(`drop database if exists ${name} with (force)`);
          await admin.end();
        },
      };
    },
  };
}

/** Both drivers, for `describe.each`. */
export function odooDrivers(): OdooTestDriver[] {
  return [pgliteOdoo, postgresOdoo()];
}
