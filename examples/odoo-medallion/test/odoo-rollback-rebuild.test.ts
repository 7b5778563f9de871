import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDeltaLakehouse, openDeltaTable } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { BRONZE_AUDIT_COLUMNS } from "@controlroom/executor-kit/medallion";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OdooDemoResult, runOdooDemo } from "../src/demo/run-odoo-demo.js";

// Rollback and rebuild end to end, on the demo's data directory, through the real
// `controlroom` command run as a child process (as a person would), so that the
// interrupted rollback can be killed with SIGKILL.
const GIT_SHA = "ab5e11".padEnd(40, "0");
const ROWS = 500;
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = join(ROOT, "packages/cli/src/bin.ts");
const EXAMPLE = fileURLToPath(new URL("..", import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[]) {
  return spawn(
    process.execPath,
    ["--conditions=@controlroom/source", "--import", "tsx", BIN, ...args],
    {
      cwd: EXAMPLE,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

async function cli(args: string[]): Promise<CliResult> {
  const child = startCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

let dir: string;
const runs: OdooDemoResult[] = [];

async function demo(mutate?: number): Promise<OdooDemoResult> {
  const result = await runOdooDemo({ dataDir: dir, rows: ROWS, seed: 3, gitSha: GIT_SHA, mutate });
  expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
  return result;
}

interface TableEntry {
  name: string;
  location: string;
  version: number;
  sha256: string;
}

/** The silver and gold tables a run published, from its output manifest. */
function tablesOf(result: OdooDemoResult): TableEntry[] {
  const phases = result.output_manifest?.phases as Record<string, Record<string, TableEntry>>;
  const tables = new Map<string, TableEntry>();
  for (const phase of ["silver", "gold"]) {
    for (const [name, entry] of Object.entries(phases[phase] ?? {})) {
      tables.set(name, {
        name,
        location: entry.location,
        version: entry.version,
        sha256: entry.sha256,
      });
    }
  }
  return [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

const store = () => createLocalObjectStore({ root: join(dir, "lake") });

/** Every row of a table version, as sorted canonical JSON. */
async function rowsAt(location: string, version?: number): Promise<string[]> {
  const table = openDeltaTable({ store: store(), location });
  try {
    const { rows } = await table.readRows(version === undefined ? {} : { version });
    return rows
      .map((row) =>
        JSON.stringify(
          Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)),
          (_k, v) =>
            typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v,
        ),
      )
      .sort();
  } finally {
    await table.close();
  }
}

async function latestVersion(location: string): Promise<number> {
  const table = openDeltaTable({ store: store(), location });
  try {
    return (await table.snapshot()).version;
  } finally {
    await table.close();
  }
}

async function hashAt(location: string, version?: number): Promise<string> {
  const lake = createDeltaLakehouse({ store: store() });
  try {
    const hash = await lake.contentHash(
      { location, version },
      { excludeColumns: BRONZE_AUDIT_COLUMNS },
    );
    return hash.sha256;
  } finally {
    await lake.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "controlroom-rollback-test-"));
  // Three published runs with source changes between them.
  runs.push(await demo());
  runs.push(await demo(20));
  runs.push(await demo(20));
}, 900_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("rollback and rebuild of the demo's runs", () => {
  it("rebuilds the first run after two later ones with every hash matching", {
    timeout: 300_000,
  }, async () => {
    const [first, second, third] = runs as [OdooDemoResult, OdooDemoResult, OdooDemoResult];
    // The later runs changed the tables, so the rebuild must time-travel to match.
    expect(second.output_manifest_sha256).not.toBe(first.output_manifest_sha256);
    expect(third.output_manifest_sha256).not.toBe(second.output_manifest_sha256);
    const result = await cli(["rebuild", first.run_id, "--data-dir", dir, "--json"]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const report = JSON.parse(result.stdout) as {
      status: string;
      match: boolean;
      rebuild_run_id: string;
      outputs: {
        output: string;
        version: number;
        match: boolean;
        rebuilt_location: string;
        recorded_sha256: string;
        stored_sha256: string;
        rebuilt_sha256: string;
      }[];
    };
    expect(report.status).toBe("succeeded");
    expect(report.match).toBe(true);
    const expected = tablesOf(first);
    expect(report.outputs.map((o) => o.output).sort()).toEqual(expected.map((t) => t.name));
    for (const output of report.outputs) {
      const recorded = expected.find((t) => t.name === output.output);
      expect(output).toMatchObject({
        match: true,
        version: recorded?.version,
        recorded_sha256: recorded?.sha256,
        stored_sha256: recorded?.sha256,
        rebuilt_sha256: recorded?.sha256,
      });
      // Rebuilt in scratch space, never over the tables it checks.
      expect(output.rebuilt_location).toBe(
        `scratch/rebuild-${report.rebuild_run_id}/${recorded?.location}`,
      );
    }
    // The live tables are still the third run's.
    for (const table of tablesOf(third))
      expect(await latestVersion(table.location)).toBe(table.version);
  });

  it("rolls back to the first run: a dry run changes nothing, then every table reads as after it", {
    timeout: 300_000,
  }, async () => {
    const [first, , third] = runs as [OdooDemoResult, OdooDemoResult, OdooDemoResult];
    const dry = await cli(["rollback", "--to-run", first.run_id, "--data-dir", dir, "--dry-run"]);
    expect(dry.code, `${dry.stdout}\n${dry.stderr}`).toBe(0);
    expect(dry.stdout).toMatch(/current \| target \| rows now \| rows at target/);
    for (const table of tablesOf(third))
      expect(await latestVersion(table.location)).toBe(table.version);

    const bronze = "bronze/odoo/account_move";
    const bronzeBefore = await latestVersion(bronze);
    const result = await cli(["rollback", "--to-run", first.run_id, "--data-dir", dir, "--json"]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const report = JSON.parse(result.stdout) as {
      status: string;
      rollback_run_id: string;
      tables: Record<
        string,
        { status: string; from_version: number; to_version: number; version: number }
      >;
    };
    expect(report.status).toBe("succeeded");
    const before = new Map(tablesOf(third).map((t) => [t.name, t.version]));
    for (const table of tablesOf(first)) {
      const previous = before.get(table.name) as number;
      expect(report.tables[table.name]).toMatchObject({
        status: "restored",
        from_version: previous,
        to_version: table.version,
        version: previous + 1,
      });
      // Row for row what the first run wrote.
      expect(await rowsAt(table.location)).toEqual(await rowsAt(table.location, table.version));
      const delta = openDeltaTable({ store: store(), location: table.location });
      const [restore] = await delta.history({ limit: 1 });
      await delta.close();
      expect(restore?.operation).toBe("RESTORE");
      expect(restore?.commitInfo?.operationParameters).toEqual({ version: String(table.version) });
      expect(restore?.provenance).toMatchObject({
        run_id: report.rollback_run_id,
        phase: "restore",
        git_sha: first.git_sha,
        rollback_of_run: first.run_id,
        restored_version: table.version,
      });
    }
    // Bronze is raw history: untouched.
    expect(await latestVersion(bronze)).toBe(bronzeBefore);
  });

  it("runs normally after the rollback: the tables advance to what the source says now", {
    timeout: 300_000,
  }, async () => {
    const [first, , third] = runs as [OdooDemoResult, OdooDemoResult, OdooDemoResult];
    const fourth = await demo();
    runs.push(fourth);
    // Nothing new to ingest, so silver and gold are rebuilt from the same bronze as the
    // third run's: the same hashes, at new versions after the RESTORE commits.
    const thirdTables = new Map(tablesOf(third).map((t) => [t.name, t]));
    const firstTables = new Map(tablesOf(first).map((t) => [t.name, t]));
    for (const table of tablesOf(fourth)) {
      expect(table.sha256).toBe(thirdTables.get(table.name)?.sha256);
      expect(table.version).toBe((thirdTables.get(table.name)?.version as number) + 2);
      expect(firstTables.has(table.name)).toBe(true);
    }
    expect(Object.values(fourth.ingested).every((rows) => rows === 0)).toBe(true);
  });

  it("leaves every table at its previous or its restored version when killed mid-way, and a re-run completes it", {
    timeout: 300_000,
  }, async () => {
    const [first, , , fourth] = runs as [
      OdooDemoResult,
      OdooDemoResult,
      OdooDemoResult,
      OdooDemoResult,
    ];
    const tables = tablesOf(first);
    const previous = new Map(tablesOf(fourth).map((t) => [t.name, t]));
    const logs = tables.map((t) => join(dir, "lake", t.location, "_delta_log"));
    const commits = async () =>
      (await Promise.all(logs.map((log) => readdir(log)))).reduce(
        (sum, names) => sum + names.filter((n) => /^\d{20}\.json$/.test(n)).length,
        0,
      );
    const start = await commits();
    const child = startCli(["rollback", "--to-run", first.run_id, "--data-dir", dir]);
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    // Kill it as soon as the first RESTORE commit is there.
    for (;;) {
      if ((await commits()) > start) break;
      if (child.exitCode !== null) throw new Error("the rollback ended before any commit");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGKILL");
    await exited;

    let restored = 0;
    for (const table of tables) {
      const before = previous.get(table.name) as TableEntry;
      const version = await latestVersion(table.location);
      const hash = await hashAt(table.location);
      if (version === before.version) {
        expect(hash).toBe(before.sha256);
      } else {
        // Never in between: the one RESTORE commit, with the first run's rows.
        expect(version).toBe(before.version + 1);
        expect(hash).toBe(table.sha256);
        restored += 1;
      }
    }
    expect(restored).toBeGreaterThanOrEqual(1);

    const rerun = await cli(["rollback", "--to-run", first.run_id, "--data-dir", dir, "--json"]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    const report = JSON.parse(rerun.stdout) as { tables: Record<string, { status: string }> };
    const statuses = Object.values(report.tables).map((t) => t.status);
    expect(statuses.filter((s) => s === "unchanged")).toHaveLength(restored);
    expect(statuses.filter((s) => s === "restored")).toHaveLength(tables.length - restored);
    for (const table of tables) {
      expect(await latestVersion(table.location)).toBe(
        (previous.get(table.name)?.version as number) + 1,
      );
      expect(await hashAt(table.location)).toBe(table.sha256);
    }
  });

  it("rebuild reports a stored file changed after the run: stored ≠ recorded, with the differing rows", {
    timeout: 300_000,
  }, async () => {
    const [first] = runs as [OdooDemoResult];
    const partners = tablesOf(first).find((t) => t.name === "silver.partners") as TableEntry;
    const delta = openDeltaTable({ store: store(), location: partners.location });
    const [file] = (await delta.snapshot({ version: partners.version })).files;
    await delta.close();
    const path = join(dir, "lake", partners.location, file?.path as string);
    // Rewrite the Parquet file at the same path with one value changed.
    const duckdb = await DuckDBInstance.create(":memory:");
    const connection = await duckdb.connect();
    await connection.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${path}')`);
    await connection.run(
      `UPDATE t SET partner_name = partner_name || ' (edited)' WHERE partner_id = (SELECT min(partner_id) FROM t)`,
    );
    await connection.run(`COPY t TO '${path}' (FORMAT parquet)`);
    connection.closeSync();
    duckdb.closeSync();

    const result = await cli(["rebuild", first.run_id, "--data-dir", dir]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toMatch(
      /silver\.partners\s+\| \d+\s+\| [0-9a-f]{12} \| [0-9a-f]{12} \| [0-9a-f]{12} \| NO/,
    );
    expect(result.stdout).toContain(
      `first differing output: silver.partners version ${partners.version} (stored ≠ recorded)`,
    );
    expect(result.stdout).toMatch(/rows only in the stored version \(1\):\n.*\(edited\)/);
    expect(result.stdout).toMatch(/rows only in the rebuild \(1\):\n/);
    // Only that table: everything else still matches.
    expect(result.stdout.match(/\| NO$/gm)).toHaveLength(1);
  });
});
