import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { createIcebergSqlCatalog, type IcebergSqlCatalog } from "../src/iceberg/index.js";
import { createLocalObjectStore, type LocalObjectStore } from "../src/local/index.js";

/** A fresh Postgres database holding a SQL catalog, and a local lake directory. */
export interface IcebergTestBed {
  /** Superuser URL of the test database (for PyIceberg and extra connections). */
  url: string;
  sql: postgres.Sql;
  catalog: IcebergSqlCatalog;
  root: string;
  store: LocalObjectStore;
  /**
   * Another catalog over its own connection (a second writer), to `url` (a proxy, say)
   * or the test database. Statements are not prepared, so their text crosses the wire.
   */
  openCatalog(url?: string): { catalog: IcebergSqlCatalog; sql: postgres.Sql };
  close(): Promise<void>;
}

/**
 * Creates a database on the test Postgres from vitest's globalSetup
 * (packages/control-plane/test/global-setup.ts) and a temporary lake directory;
 * `close()` drops and deletes both.
 */
export async function openIcebergTestBed(catalogName = "controlroom"): Promise<IcebergTestBed> {
  const serverUrl = inject("controlroomPostgresUrl");
  if (serverUrl === null) throw new Error("the Iceberg catalog tests need the test Postgres");
  const name = `cr_iceberg_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const extra: postgres.Sql[] = [];
  const openCatalog = (connectTo = url.toString()) => {
    const sql = postgres(connectTo, { max: 2, prepare: false, onnotice: () => undefined });
    extra.push(sql);
    return { sql, catalog: createIcebergSqlCatalog({ connection: sql, catalogName }) };
  };
  const { sql, catalog } = openCatalog();
  const root = await mkdtemp(join(tmpdir(), "controlroom-iceberg-test-"));
  return {
    url: url.toString(),
    sql,
    catalog,
    root,
    store: createLocalObjectStore({ root }),
    openCatalog,
    async close() {
      for (const connection of extra) await connection.end({ timeout: 1 }).catch(() => undefined);
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      await rm(root, { recursive: true, force: true });
    },
  };
}
