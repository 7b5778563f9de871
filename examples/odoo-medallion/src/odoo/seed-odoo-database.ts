import { toCopyText } from "./copy-text.js";
import {
  type GenerateOdooDataOptions,
  generateOdooData,
  type OdooTableRows,
} from "./generate-odoo-data.js";
import type { OdooDatabase } from "./odoo-database.js";
import { ODOO_TABLE_COLUMNS, ODOO_TABLES, type OdooTable } from "./odoo-tables.js";

/** Options of {@link seedOdooDatabase}: the generator's, plus progress reporting. */
export interface SeedOdooDatabaseOptions extends GenerateOdooDataOptions {
  /**
   * Check foreign keys row by row while loading. Off, the load runs with
   * `session_replication_role = replica` (as `pg_restore --disable-triggers` does), which
   * is several times faster; the generator's rows are consistent by construction, and the
   * tests load with checks on to prove it. Needs a superuser (PGlite's user is one).
   * @default false
   */
  checkForeignKeys?: boolean | undefined;
  /**
   * Drop the tables' secondary indexes (those not backing a constraint) for the load and
   * build them again afterwards, as restores do: building an index once is cheaper than
   * maintaining it row by row (about a quarter of the load time on PGlite).
   * @default true
   */
  deferIndexes?: boolean | undefined;
  /**
   * Called after each batch is loaded with the running row count per table.
   * @default undefined
   */
  onProgress?: ((loaded: Readonly<Record<OdooTable, number>>) => void) | undefined;
}

/** What {@link seedOdooDatabase} loaded. */
export interface SeedOdooDatabaseResult {
  rows: Record<OdooTable, number>;
  /** Wall time of generation and load, in milliseconds. */
  durationMs: number;
}

/**
 * Generates a dataset (see `generateOdooData`) and bulk-loads it into `db`, whose Odoo
 * tables must exist and be empty. Batches are loaded with COPY as they are generated
 * (the next batch is generated while the database ingests the previous one), so memory
 * stays flat; afterwards the id sequences are moved past the loaded ids and the tables
 * analysed, as a restored Odoo database would be.
 *
 * @example
 * ```ts
 * const db = pgliteOdooDatabase(await PGlite.create());
 * await loadOdooSchema(db);
 * const { rows } = await seedOdooDatabase(db, { seed: 1, rows: 10_000 });
 * ```
 */
export async function seedOdooDatabase(
  db: OdooDatabase,
  options: SeedOdooDatabaseOptions = {},
): Promise<SeedOdooDatabaseResult> {
  const started = performance.now();
  const rows = Object.fromEntries(ODOO_TABLES.map((table) => [table, 0])) as Record<
    OdooTable,
    number
  >;
  const batches = generateOdooData(options);
  const fast = options.checkForeignKeys !== true;
  const deferred = options.deferIndexes === false ? [] : await secondaryIndexes(db);
  if (deferred.length > 0)
    await db.exec(deferred.map((index) => `DROP INDEX ${index.name};`).join("\n"));
  // A session setting: a pool must give all statements one connection (see postgresOdooDatabase).
  if (fast) await db.exec("SET session_replication_role = replica");
  let pending: Promise<void> | undefined;
  try {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const batch = next.value;
      await pending;
      pending = copyBatch(db, batch).then(() => {
        for (const { table, rows: loaded } of batch) rows[table] += loaded.length;
        options.onProgress?.(rows);
      });
    }
    await pending;
  } finally {
    // Leave the database as it was found, whatever happened to the load.
    await pending?.catch(() => undefined);
    if (fast) await db.exec("SET session_replication_role = DEFAULT");
    if (deferred.length > 0)
      await db.exec(deferred.map((index) => `${index.definition};`).join("\n"));
  }
  await resetSequences(db);
  return { rows, durationMs: performance.now() - started };
}

/**
 * Moves every Odoo table's id sequence past its largest id, so that later inserts
 * without an id (Odoo's, or a test's) do not collide with generated rows.
 *
 * @example
 * ```ts
 * await resetSequences(db);
 * ```
 */
export async function resetSequences(db: OdooDatabase): Promise<void> {
  const statements = ODOO_TABLES.map(
    (table) =>
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${table};`,
  );
  await db.exec(`${statements.join("\n")}\nANALYZE;`);
}

async function secondaryIndexes(db: OdooDatabase): Promise<{ name: string; definition: string }[]> {
  return db.query<{ name: string; definition: string }>(
    `SELECT quote_ident(i.indexname) AS name, i.indexdef AS definition
       FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
      ORDER BY i.indexname`,
    [[...ODOO_TABLES]],
  );
}

async function copyBatch(db: OdooDatabase, batch: OdooTableRows[]): Promise<void> {
  for (const { table, rows } of batch) {
    if (rows.length > 0)
      await db.copyIn(
        table,
        ODOO_TABLE_COLUMNS[table],
        toCopyText(rows, ODOO_TABLE_COLUMNS[table]),
      );
  }
}
