import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelOutput } from "@controlroom/executor-kit/medallion";
import { runOdooDemo } from "@controlroom/odoo-medallion";

/**
 * The gold phase's upstream: the silver phase's output (tables written, bronze versions
 * read), rebuilt from the demo run's output manifest.
 */
export type SilverOutput = ModelOutput;

/** The demo's lake, built once and cached: what the gold benchmark reads. */
export interface OdooDemoLake {
  /** The demo's data directory (control plane, Odoo database, lake). */
  dataDir: string;
  /** The object store root of the lake. */
  lakeDir: string;
  /** Journal items the Odoo database was seeded with. */
  rows: number;
  seed: number;
  /** The silver versions the demo run's gold phase read. */
  silver: SilverOutput;
  /** How long the demo took to build it (seed and all five phases), in seconds. */
  buildSeconds: number;
  builtAt: string;
}

const MARKER = "bench-lake.json";
// The demo's default seed, so the data is what `pnpm demo --rows N` generates.
const SEED = 1;
const GIT_SHA = "0".repeat(40);

/**
 * Returns the cached lake of the Odoo demo at `rows` journal items, running the demo
 * (`runOdooDemo`: PGlite Odoo database, ingest, validate, silver, gold, publish) into
 * `<cacheDir>/odoo-demo-r<rows>` first when it is not there. A directory without the
 * marker is a build that did not finish: it is removed and built again, since the demo
 * refuses a half-seeded database.
 */
export async function ensureOdooDemoLake(args: {
  cacheDir: string;
  rows: number;
}): Promise<OdooDemoLake> {
  const dataDir = join(args.cacheDir, `odoo-demo-r${args.rows}`);
  const marker = join(dataDir, MARKER);
  if (existsSync(marker)) return JSON.parse(await readFile(marker, "utf8")) as OdooDemoLake;
  await rm(dataDir, { recursive: true, force: true });
  const log = (message: string) => process.stdout.write(`${message}\n`);
  log(`building the Odoo demo lake at ${args.rows} journal items in ${dataDir}`);
  let lastReport = 0;
  const started = performance.now();
  const result = await runOdooDemo({
    dataDir,
    rows: args.rows,
    seed: SEED,
    gitSha: GIT_SHA,
    logLevel: "silent",
    onSeedProgress: (loaded, total) => {
      if (performance.now() - lastReport < 30_000) return;
      lastReport = performance.now();
      log(`  seeding: ${loaded}/${total} journal items`);
    },
    onEvent: (event) => {
      if (event.type === "PHASE_SUCCEEDED" || event.type === "PHASE_FAILED") {
        const seconds = ((performance.now() - started) / 1_000).toFixed(0);
        log(
          `  ${event.phase} ${event.type === "PHASE_SUCCEEDED" ? "done" : "FAILED"} at ${seconds} s`,
        );
      }
    },
  });
  if (result.status !== "succeeded") {
    throw new Error(
      `the demo run ${result.run_id} ended ${result.status}: ${result.error?.phase ?? "?"}: ${result.error?.message ?? ""}`,
    );
  }
  const lake: OdooDemoLake = {
    dataDir,
    lakeDir: join(dataDir, "lake"),
    rows: args.rows,
    seed: SEED,
    silver: silverOutput(result.output_manifest ?? {}),
    buildSeconds: Math.round((performance.now() - started) / 1_000),
    builtAt: new Date().toISOString(),
  };
  // Written last: its presence says the lake is complete.
  await writeFile(marker, `${JSON.stringify(lake, null, 2)}\n`);
  return lake;
}

// The run's manifest is `{ phases: { <phase>: <its manifest> } }`, and the silver phase
// declares `silver.<name>` with the table version it wrote and the bronze versions it
// read: exactly what its output holds.
function silverOutput(manifest: Record<string, unknown>): SilverOutput {
  const phases = (manifest.phases ?? {}) as Record<string, Record<string, unknown>>;
  const out: SilverOutput = { inputs: {}, tables: {} };
  for (const [key, value] of Object.entries(phases.silver ?? {})) {
    if (!key.startsWith("silver.")) continue;
    const entry = value as SilverOutput["tables"][string] & { inputs?: SilverOutput["inputs"] };
    out.tables[key.slice("silver.".length)] = {
      location: entry.location,
      version: entry.version,
      rows: entry.rows,
      sha256: entry.sha256,
    };
    out.inputs = entry.inputs ?? out.inputs;
  }
  if (Object.keys(out.tables).length === 0) {
    throw new Error("the demo run's output manifest declares no silver table");
  }
  return out;
}
