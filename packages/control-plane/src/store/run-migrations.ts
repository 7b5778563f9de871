import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlDatabase } from "./sql-database.js";

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /**
   * The directory of numbered `NNNN_name.sql` files.
   * @default the package's own `migrations` directory
   */
  directory?: string;
}

/** What {@link runMigrations} did. */
export interface RunMigrationsResult {
  /** Versions applied by this call, in order (empty when the schema was current). */
  applied: string[];
}

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

/**
 * Finds the package's `migrations` directory from this module's location; searching
 * upward makes it work from `src/store/` (tests) and from the bundled `dist/`.
 */
export function migrationsDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level++) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, "0001_ops_schema.sql"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("the control plane's migrations directory was not found next to its code");
}

/**
 * Applies the `ops` schema migrations not yet recorded in
 * `public.controlroom_schema_migrations`, in one transaction. Safe to call twice and
 * from several servers at once: an advisory lock makes the others wait, then find
 * nothing left to do.
 *
 * @example
 * ```ts
 * const { applied } = await runMigrations(database);
 * ```
 */
export async function runMigrations(
  db: SqlDatabase,
  options: RunMigrationsOptions = {},
): Promise<RunMigrationsResult> {
  const directory = options.directory ?? migrationsDirectory();
  const files = (await readdir(directory)).filter((name) => MIGRATION_FILE.test(name)).sort();
  const scripts = await Promise.all(
    files.map(async (name) => ({
      version: name.slice(0, 4),
      name,
      sql: await readFile(join(directory, name), "utf8"),
    })),
  );

  return db.transaction(async (client) => {
    // Taken before the table exists, so two first starts cannot race on CREATE TABLE.
    await client.query("select pg_advisory_xact_lock(7301, 0)");
    await client.exec(`create table if not exists public.controlroom_schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const rows = await client.query<{ version: string }>(
      "select version from public.controlroom_schema_migrations",
    );
    const done = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const script of scripts) {
      if (done.has(script.version)) continue;
      await client.exec(script.sql);
      await client.query(
        "insert into public.controlroom_schema_migrations (version, name, checksum) values ($1, $2, $3)",
        [script.version, script.name, createHash("sha256").update(script.sql).digest("hex")],
      );
      applied.push(script.version);
    }
    return { applied };
  });
}
