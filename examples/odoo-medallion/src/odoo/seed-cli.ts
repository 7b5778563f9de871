import { parseArgs } from "node:util";
import { createPostgresSource } from "@controlroom/adapters/postgres";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { loadOdooSchema } from "./load-odoo-schema.js";
import { mutateOdooDatabase } from "./mutate-odoo-database.js";
import { type OdooDatabase, pgliteOdooDatabase, postgresOdooDatabase } from "./odoo-database.js";
import { seedOdooDatabase } from "./seed-odoo-database.js";

const USAGE = `Usage: pnpm --filter @controlroom/odoo-medallion seed [options]

  --rows N       journal items to generate (default 10000)
  --seed S       PRNG seed (default 1)
  --url URL      load into this Postgres database (default: PGlite)
  --pglite DIR   PGlite data directory (default: in memory)
  --mutate       change an existing database instead (payments, cancellations, new invoices)
  --changes N    changes to make with --mutate (default 50)
  --read         afterwards, read account_move_line through the Postgres source
                 and report rows/s and peak RSS`;

/**
 * `seed`: creates and fills an Odoo-shaped database (or mutates one), printing row counts,
 * throughput and peak memory as JSON. Used to measure the generator and the source at
 * scale; the demo calls the same functions in process.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
      url: { type: "string" },
      pglite: { type: "string" },
      mutate: { type: "boolean", default: false },
      changes: { type: "string", default: "50" },
      read: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const { db, client, close } = await open(values.url, values.pglite);
  const report: Record<string, unknown> = {};
  try {
    if (values.mutate) {
      const result = await mutateOdooDatabase(db, {
        seed: Number(values.seed),
        changes: Number(values.changes),
      });
      report.mutate = {
        at: result.at,
        changed: Object.fromEntries(
          Object.entries(result.changed).map(([table, ids]) => [table, ids.length]),
        ),
      };
    } else {
      const [exists] = await db.query<{ present: boolean }>(
        "SELECT to_regclass('account_move') IS NOT NULL AS present",
      );
      if (!exists?.present) await loadOdooSchema(db);
      const seeded = await seedOdooDatabase(db, {
        seed: Number(values.seed),
        rows: Number(values.rows),
      });
      const total = Object.values(seeded.rows).reduce((sum, count) => sum + count, 0);
      report.seed = {
        rows: seeded.rows,
        seconds: Math.round(seeded.durationMs) / 1000,
        lineRowsPerSecond: Math.round(seeded.rows.account_move_line / (seeded.durationMs / 1000)),
        allRowsPerSecond: Math.round(total / (seeded.durationMs / 1000)),
        peakRssMb: Math.round(peakRss / 1e6),
      };
    }
    if (values.read) {
      peakRss = process.memoryUsage().rss;
      const before = peakRss;
      const source = createPostgresSource({ connection: client, tables: ["account_move_line"] });
      const started = performance.now();
      let rows = 0;
      for await (const batch of source.read("account_move_line", { batchSize: 10_000 }))
        rows += batch.rows.length;
      const seconds = (performance.now() - started) / 1000;
      report.read = {
        rows,
        seconds: Math.round(seconds * 1000) / 1000,
        rowsPerSecond: Math.round(rows / seconds),
        rssBeforeMb: Math.round(before / 1e6),
        peakRssMb: Math.round(peakRss / 1e6),
      };
    }
  } finally {
    clearInterval(sampler);
    await close();
  }
  console.log(JSON.stringify(report, null, 2));
}

async function open(
  url: string | undefined,
  dataDir: string | undefined,
): Promise<{ db: OdooDatabase; client: PGlite | postgres.Sql; close: () => Promise<void> }> {
  if (url !== undefined) {
    // One connection: the seeder's session settings must reach its COPYs.
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    return { db: postgresOdooDatabase(sql), client: sql, close: () => sql.end() };
  }
  const pg = await PGlite.create(dataDir);
  return { db: pgliteOdooDatabase(pg), client: pg, close: () => pg.close() };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
