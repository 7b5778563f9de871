import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openDeltaTable } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import type { TableSchema } from "@controlroom/executor-kit";
import { ListingCacheStore } from "./listing-cache-store.js";

/** A Delta table of many small commits, built once and cached on disk. */
export interface DeltaFixture {
  /** The object store root (a local directory). */
  root: string;
  /** The table's location under `root`. */
  location: string;
  /** Absolute path of the table directory (what delta-rs opens). */
  path: string;
  /** Commits after the create (the latest version). */
  commits: number;
  rowsPerCommit: number;
}

/** Options of {@link ensureDeltaFixture}. */
export interface DeltaFixtureOptions {
  /** Where fixtures are cached between runs (e.g. `bench/.cache`). */
  cacheDir: string;
  /** Appends after the create, so the latest version is this number. */
  commits: number;
  /** Rows per append. */
  rowsPerCommit: number;
  /** Called every few hundred commits while building. */
  onProgress?: ((done: number, total: number, msPerCommit: number) => void) | undefined;
}

/** The schema every fixture row has: a key, a number and a short string. */
export const FIXTURE_SCHEMA: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "amount", type: "double", nullable: true },
    { name: "label", type: "string", nullable: true },
  ],
};

const PROVENANCE = { run_id: "bench-fixture", phase: "build", git_sha: "0".repeat(40) };
const MARKER = "fixture.json";

/** The rows of append number `commit` (1-based): deterministic, so a build can resume. */
export function fixtureRows(commit: number, rowsPerCommit: number): Record<string, unknown>[] {
  return Array.from({ length: rowsPerCommit }, (_, k) => ({
    id: BigInt(commit * rowsPerCommit + k),
    amount: (commit * rowsPerCommit + k) / 7,
    label: `row-${commit}-${k}`,
  }));
}

/**
 * Returns the cached fixture table, building (or finishing) it first when needed: a
 * create, then `commits` appends of `rowsPerCommit` rows each through `openDeltaTable`,
 * which checkpoints every 10 commits (its default). An interrupted build resumes from
 * the table's latest version, since the table is its own progress record.
 */
export async function ensureDeltaFixture(options: DeltaFixtureOptions): Promise<DeltaFixture> {
  const root = join(options.cacheDir, `delta-c${options.commits}-r${options.rowsPerCommit}`);
  const location = "table";
  const fixture: DeltaFixture = {
    root,
    location,
    path: join(root, location),
    commits: options.commits,
    rowsPerCommit: options.rowsPerCommit,
  };
  if (existsSync(join(root, MARKER))) return fixture;
  await mkdir(root, { recursive: true });
  // The listing cache only spares the build n `stat` calls per append; see its docs.
  const store = new ListingCacheStore(createLocalObjectStore({ root }));
  const table = openDeltaTable({ store, location });
  try {
    let version = -1;
    if (await table.exists()) version = (await table.snapshot()).version;
    if (version < 0) {
      await table.create({ schema: FIXTURE_SCHEMA, provenance: PROVENANCE });
      version = 0;
    }
    let started = performance.now();
    let since = version;
    for (let commit = version + 1; commit <= options.commits; commit++) {
      await table.append(
        { rows: fixtureRows(commit, options.rowsPerCommit) },
        {
          provenance: PROVENANCE,
        },
      );
      if (commit % 250 === 0 || commit === options.commits) {
        const ms = (performance.now() - started) / (commit - since);
        options.onProgress?.(commit, options.commits, ms);
        started = performance.now();
        since = commit;
      }
    }
  } finally {
    await table.close();
  }
  await writeFile(
    join(root, MARKER),
    `${JSON.stringify({ commits: options.commits, rowsPerCommit: options.rowsPerCommit, builtAt: new Date().toISOString() })}\n`,
  );
  return fixture;
}

/** Reads a fixture's marker, or undefined when it is not (fully) built. */
export async function readFixtureMarker(root: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(root, MARKER), "utf8"));
  } catch {
    return undefined;
  }
}
