import { describe, expect, it } from "vitest";
import { ROW_SET_HASH_V1 } from "../../src/hashing/row-set-hash.js";
import { defineRollbackExecutor, rebuildVariant } from "../../src/medallion/index.js";
import type {
  Lakehouse,
  RestoreTableOptions,
  TableRestoreResult,
} from "../../src/ports/lakehouse.js";
import type { TableSnapshot } from "../../src/ports/table-format.js";
import { runPhase } from "../../src/testing/run-phase.js";

// The rollback phase's decisions over a fake lakehouse: each table is a list of versions
// (files, content hash, rows); restore appends a version with the target's files.
interface FakeVersion {
  files: string[];
  sha256: string;
  rows: number;
}

function fakeLake(tables: Record<string, FakeVersion[]>, options: { restoreError?: Error } = {}) {
  const restores: { location: string; options: RestoreTableOptions }[] = [];
  const hashFormats: (string | undefined)[] = [];
  const versionOf = (location: string, version?: number) => {
    const versions = tables[location];
    if (versions === undefined) return undefined;
    const index = version ?? versions.length - 1;
    const found = versions[index];
    if (found === undefined) throw new Error(`${location} has no version ${index}`);
    return { index, found };
  };
  const lake: Lakehouse = {
    format: "fake",
    dialect: "none",
    uri: (location) => `fake://${location}`,
    async snapshot({ location, version }): Promise<TableSnapshot | undefined> {
      const at = versionOf(location, version);
      if (at === undefined) return undefined;
      return {
        version: at.index,
        schema: { fields: [] },
        partitionColumns: [],
        properties: {},
        files: at.found.files.map((path) => ({
          path,
          sizeBytes: 1,
          recordCount: at.found.rows / at.found.files.length,
        })),
      };
    },
    // A table's recorded hash is its v1 digest here; any other format hashes to f…f.
    async contentHash({ location, version }, hashOptions = {}) {
      hashFormats.push(hashOptions.format);
      const at = versionOf(location, version);
      if (at === undefined) throw new Error(`no table ${location}`);
      const sha256 = hashOptions.format === ROW_SET_HASH_V1 ? at.found.sha256 : "f".repeat(64);
      return { sha256, rowCount: at.found.rows, version: at.index, format: hashOptions.format };
    },
    async restore(location, restoreOptions): Promise<TableRestoreResult> {
      restores.push({ location, options: restoreOptions });
      if (options.restoreError) throw options.restoreError;
      const versions = tables[location] as FakeVersion[];
      const latest = versions.length - 1;
      const target = versions[restoreOptions.version] as FakeVersion;
      const same = (versions[latest] as FakeVersion).files.join() === target.files.join();
      if (!same) versions.push({ ...target });
      return {
        location,
        version: same ? latest : latest + 1,
        committed: !same,
        previousVersion: latest,
        restoredVersion: restoreOptions.version,
        filesAdded: same ? 0 : target.files.length,
        filesRemoved: same ? 0 : 1,
      };
    },
    history: () => Promise.reject(new Error("unused")),
    appendRows: () => Promise.reject(new Error("unused")),
    session: () => Promise.reject(new Error("unused")),
  };
  return { lake, restores, hashFormats };
}

const TARGET = "01a21ab4-6e38-74a3-89b6-3bdf6853735f";
const v = (files: string[], sha: string, rows: number): FakeVersion => ({
  files,
  sha256: sha.repeat(64),
  rows,
});

function lakeWithTwoTablesData(): Record<string, FakeVersion[]> {
  return {
    "gold/totals": [v(["a"], "1", 4), v(["b"], "2", 6)],
    "silver/orders": [v(["c"], "3", 8)],
  };
}

const lakeWithTwoTables = () => fakeLake(lakeWithTwoTablesData());

const params = (dry_run = false) => ({
  rollback_of_run: TARGET,
  dry_run,
  tables: [
    { name: "gold.totals", location: "gold/totals", version: 0, sha256: "1".repeat(64), rows: 4 },
    {
      name: "silver.orders",
      location: "silver/orders",
      version: 0,
      sha256: "3".repeat(64),
      rows: 8,
    },
  ],
});

describe("defineRollbackExecutor", () => {
  it("restores each table to the target version, skipping one already there", async () => {
    const { lake, restores } = lakeWithTwoTables();
    const result = await runPhase(defineRollbackExecutor(), "restore", {
      params: params(),
      adapters: { lakehouse: lake },
      run: { run_id: "01a21ab5-0000-7000-8000-000000000000", git_sha: "c".repeat(40) },
    });
    expect(result.error).toBeUndefined();
    expect(result.output?.tables).toEqual({
      "gold.totals": {
        location: "gold/totals",
        status: "restored",
        from_version: 1,
        to_version: 0,
        version: 2,
        rows_before: 6,
        rows_after: 4,
        sha256: "1".repeat(64),
      },
      "silver.orders": expect.objectContaining({ status: "unchanged", version: 0 }),
    });
    expect(restores[0]?.options.provenance).toMatchObject({
      run_id: "01a21ab5-0000-7000-8000-000000000000",
      phase: "restore",
      git_sha: "c".repeat(40),
      rollback_of_run: TARGET,
      restored_version: 0,
    });
    expect(
      result.events
        .filter((e) => e.type.startsWith("ROLLBACK_"))
        .map((e) => [e.type, e.payload.table]),
    ).toEqual([
      ["ROLLBACK_TABLE_RESTORED", "gold.totals"],
      ["ROLLBACK_TABLE_SKIPPED", "silver.orders"],
    ]);
    expect(result.outputManifest["gold.totals"]).toMatchObject({
      version: 2,
      sha256: "1".repeat(64),
      restored_version: 0,
      rollback_of_run: TARGET,
    });
  });

  it("changes nothing in a dry run, planning each table", async () => {
    const { lake, restores } = lakeWithTwoTables();
    const result = await runPhase(defineRollbackExecutor(), "restore", {
      params: params(true),
      adapters: { lakehouse: lake },
    });
    expect(result.status).toBe("succeeded");
    expect(restores).toEqual([]);
    expect(result.output?.tables["gold.totals"]?.status).toBe("would_restore");
    expect(result.output?.tables["silver.orders"]?.status).toBe("would_keep");
    expect(result.events.filter((e) => e.type.startsWith("ROLLBACK_")).map((e) => e.type)).toEqual([
      "ROLLBACK_TABLE_PLANNED",
      "ROLLBACK_TABLE_PLANNED",
    ]);
    expect(result.outputManifest).toEqual({});
  });

  it("refuses, without retry, a version that no longer hashes to what the run recorded", async () => {
    const { lake, restores } = fakeLake({ "gold/totals": [v(["a"], "9", 4), v(["b"], "2", 6)] });
    const result = await runPhase(defineRollbackExecutor(), "restore", {
      params: { ...params(), tables: params().tables.slice(0, 1) },
      adapters: { lakehouse: lake },
    });
    expect(result.status).toBe("failed");
    expect(result.error?.retryable).toBe(false);
    expect(result.error?.message).toMatch(/does not hash to what run .* recorded/);
    expect(result.events.filter((e) => e.type.startsWith("ROLLBACK_")).map((e) => e.type)).toEqual([
      "ROLLBACK_TABLE_REFUSED",
    ]);
    expect(restores).toEqual([]);
  });

  it("checks each hash in the format the run recorded it in: v1 when it names none", async () => {
    const { lake, hashFormats } = lakeWithTwoTables();
    const result = await runPhase(defineRollbackExecutor(), "restore", {
      params: params(true),
      adapters: { lakehouse: lake },
    });
    expect(result.status).toBe("succeeded");
    expect(hashFormats).toEqual([ROW_SET_HASH_V1, ROW_SET_HASH_V1]);
    // Recorded in a named format: hashed in that one (which here no longer matches).
    const named = fakeLake(lakeWithTwoTablesData());
    const tables = params(true).tables.map((t) => ({ ...t, hash_format: "fake-v2" }));
    const refused = await runPhase(defineRollbackExecutor(), "restore", {
      params: { ...params(true), tables },
      adapters: { lakehouse: named.lake },
    });
    expect(named.hashFormats[0]).toBe("fake-v2");
    expect(refused.error?.message).toMatch(/does not hash to what run .* recorded/);
  });

  it("does not retry a restore refused for vacuumed files, and retries a conflict", async () => {
    const missing = Object.assign(new Error("files are gone"), {
      code: "DELTA_RESTORE_FILES_MISSING",
    });
    const gone = await runPhase(defineRollbackExecutor(), "restore", {
      params: params(),
      adapters: { lakehouse: fakeLake(lakeWithTwoTablesData(), { restoreError: missing }).lake },
    });
    expect(gone.error?.retryable).toBe(false);
    const conflict = Object.assign(new Error("raced"), { code: "DELTA_CONCURRENT_MODIFICATION" });
    const raced = await runPhase(defineRollbackExecutor(), "restore", {
      params: params(),
      adapters: { lakehouse: fakeLake(lakeWithTwoTablesData(), { restoreError: conflict }).lake },
    });
    expect(raced.status).toBe("failed");
    expect(raced.error?.retryable).not.toBe(false);
  });
});

// A small pipeline's rebuild variant: one stream, one silver and one gold table.
const shopRebuild = () =>
  rebuildVariant({
    id: "shop",
    version: "1.0.0",
    streams: [{ name: "orders", primaryKey: ["id"], cursorFields: ["id"] }],
    silver: [{ name: "orders", sql: "SELECT * FROM current_orders" }],
    gold: [{ name: "totals", sql: "SELECT count(*) AS n FROM silver_orders" }],
  });

describe("rebuildVariant", () => {
  it("verifies a run recorded before hash formats were named by hashing both sides as v1", async () => {
    // Version 0 is the original, version 1 the rebuild: the same rows (v1 digest 1…1).
    const { lake, hashFormats } = fakeLake({ "gold/totals": [v(["a"], "1", 4), v(["b"], "1", 4)] });
    const rebuild = shopRebuild();
    const result = await runPhase(rebuild, "verify", {
      params: {
        rebuild_of_run: TARGET,
        outputs: [
          {
            name: "gold.totals",
            location: "gold/totals",
            version: 0,
            sha256: "1".repeat(64),
            rows: 4,
          },
        ],
      },
      // The rebuild recorded its table in today's format, which v1 records cannot compare with.
      upstream: {
        gold: {
          inputs: {},
          tables: {
            totals: {
              location: "gold/totals",
              version: 1,
              rows: 4,
              sha256: "f".repeat(64),
              hash_format: "fake-v2",
            },
          },
        },
      },
      adapters: { lakehouse: lake },
    });
    expect(result.error).toBeUndefined();
    expect(result.output?.outputs[0]).toMatchObject({
      match: true,
      stored_sha256: "1".repeat(64),
      rebuilt_sha256: "1".repeat(64),
    });
    expect(hashFormats).toEqual([ROW_SET_HASH_V1, ROW_SET_HASH_V1]);
  });

  it("has the pipeline's phases after ingest plus verify, under a capability of its own", () => {
    const rebuild = shopRebuild();
    expect(rebuild.id).toBe("shop-rebuild");
    expect(Object.keys(rebuild.phases)).toEqual([
      "validate",
      "silver",
      "gold",
      "publish",
      "verify",
    ]);
    expect(rebuild.capabilities).toEqual(["shop-rebuild"]);
    expect(Object.values(rebuild.phases).every((p) => p.requires.join() === "shop-rebuild")).toBe(
      true,
    );
  });
});
