import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { loadOdooSchema } from "../odoo/load-odoo-schema.js";
import { pgliteOdooDatabase } from "../odoo/odoo-database.js";
import { type SeedOdooDatabaseResult, seedOdooDatabase } from "../odoo/seed-odoo-database.js";
import { DemoError } from "./demo-error.js";

/** How the demo's source database was made, kept beside it. */
interface SeedRecord {
  seed: number;
  rows: number;
  mutations: number;
}

/** The demo's Odoo database, opened (and seeded the first time). */
export interface OpenedOdooSource {
  pglite: PGlite;
  record: SeedRecord;
  /** What seeding did, when this call seeded the database. */
  seeded: SeedOdooDatabaseResult | undefined;
  /** Records one more mutation round (its number seeds the next one). */
  recordMutation(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the PGlite Odoo database under `dir`, creating and seeding it on first use. A
 * second call with another seed or row count is refused: the tables would no longer
 * match what earlier runs ingested.
 */
export async function openOdooSourceDatabase(
  dir: string,
  options: { seed: number; rows: number; onProgress?: (loaded: number) => void },
): Promise<OpenedOdooSource> {
  const recordFile = join(dir, "controlroom-seed.json");
  let record = await readRecord(recordFile);
  if (record && (record.seed !== options.seed || record.rows !== options.rows)) {
    throw new DemoError(
      "DEMO_DATA_DIR_MISMATCH",
      `the data directory already holds an Odoo database seeded with --seed ${record.seed} --rows ${record.rows}; ` +
        "use those, or another --data-dir",
    );
  }
  const pgdata = join(dir, "pgdata");
  if (!record && (await exists(pgdata))) {
    throw new DemoError(
      "DEMO_DATA_DIR_MISMATCH",
      `${dir} holds an Odoo database whose seeding did not finish; remove that directory and run again`,
    );
  }
  await mkdir(dir, { recursive: true });
  const pglite = await PGlite.create({ dataDir: pgdata });
  let seeded: SeedOdooDatabaseResult | undefined;
  try {
    if (!record) {
      const db = pgliteOdooDatabase(pglite);
      await loadOdooSchema(db);
      seeded = await seedOdooDatabase(db, {
        seed: options.seed,
        rows: options.rows,
        onProgress: (loaded) => options.onProgress?.(loaded.account_move_line),
      });
      record = { seed: options.seed, rows: options.rows, mutations: 0 };
      // Written last: a seed that died half-way leaves no record, and is refused below.
      await writeFile(recordFile, `${JSON.stringify(record)}\n`);
    }
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const current = record;
  return {
    pglite,
    record: current,
    seeded,
    async recordMutation() {
      current.mutations += 1;
      await writeFile(recordFile, `${JSON.stringify(current)}\n`);
      return current.mutations;
    },
    close: () => pglite.close(),
  };
}

async function readRecord(file: string): Promise<SeedRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as SeedRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DemoError("DEMO_DATA_DIR_MISMATCH", `cannot read ${file}: ${String(error)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
