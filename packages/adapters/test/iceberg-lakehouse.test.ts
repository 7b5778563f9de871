import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, SqlRow, TableSchema } from "@controlroom/executor-kit";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeltaLakehouse } from "../src/delta/index.js";
import {
  createIcebergLakehouse,
  defaultIdentifierOf,
  type IcebergLakehouse,
  isAdapterError,
  openIcebergTable,
} from "../src/iceberg/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { type IcebergTestBed, openIcebergTestBed } from "./iceberg-test-catalog.js";
import { s3TestServer, testS3Store } from "./s3-test-server.js";

const provenance = { run_id: "run_test", phase: "ingest", git_sha: "0123abc" };
const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "state", type: "string", nullable: true },
    { name: "amount", type: "decimal(10,2)", nullable: true },
    { name: "qty", type: "short", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
  ],
};

let bed: IcebergTestBed;
const lakes: IcebergLakehouse[] = [];
const dirs: string[] = [];
beforeEach(async () => {
  bed = await openIcebergTestBed();
});
afterEach(async () => {
  for (const lake of lakes.splice(0)) await lake.close();
  await bed.close();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function openLake(store: ObjectStore = bed.store): IcebergLakehouse {
  const lake = createIcebergLakehouse({ store, catalog: bed.catalog, engine: { threads: 2 } });
  lakes.push(lake);
  return lake;
}

async function* batchesOf(...batches: SqlRow[][]): AsyncGenerator<SqlRow[]> {
  for (const batch of batches) yield batch;
}

const rows1: SqlRow[] = [
  { id: 1n, state: "posted", amount: "10.50", qty: 2, at: new Date("2024-01-01T10:00:00Z") },
  { id: 2n, state: "draft", amount: "3.25", qty: 1, at: null },
];
const rows2: SqlRow[] = [{ id: 3n, state: "posted", amount: "1.00", qty: null, at: null }];

async function caught(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAdapterError(error)).toBe(true);
  return error as { code: string; message: string };
}

describe("createIcebergLakehouse", () => {
  it("lands rows, pins versions in sessions, writes query results and hashes like the Delta lakehouse", async () => {
    const lake = openLake();
    expect([lake.format, lake.dialect]).toEqual(["iceberg", "duckdb"]);
    const first = await lake.appendRows("bronze/odoo/moves", batchesOf(rows1), {
      schema,
      provenance,
    });
    expect(first).toEqual({ location: "bronze/odoo/moves", version: 1, rowCount: 2 });
    const second = await lake.appendRows("bronze/odoo/moves", batchesOf([], rows2), {
      schema,
      provenance,
    });
    expect(second.version).toBe(2);
    expect(
      await lake.appendRows("bronze/odoo/moves", batchesOf([]), { schema, provenance }),
    ).toEqual({
      location: "bronze/odoo/moves",
      version: undefined,
      rowCount: 0,
    });
    // Registered under the default name, at the location's URI.
    const [row] = await bed.sql`SELECT table_namespace, table_name FROM iceberg_tables`;
    expect(row).toEqual({ table_namespace: "bronze_odoo", table_name: "moves" });
    expect(lake.uri("bronze/odoo/moves")).toBe(bed.store.uri("bronze/odoo/moves"));
    const snapshot = await lake.snapshot({ location: "bronze/odoo/moves" });
    expect(snapshot?.tableLocation).toBe(lake.uri("bronze/odoo/moves"));
    expect(snapshot?.icebergSchema.fields.map((f) => [f.id, f.name, f.type, f.required])).toEqual([
      [1, "id", "long", true],
      [2, "state", "string", false],
      [3, "amount", "decimal(10, 2)", false],
      [4, "qty", "int", false],
      [5, "at", "timestamptz", false],
    ]);

    const written = await lake.session(
      {
        moves: { location: "bronze/odoo/moves", version: 1 },
        posted: { sql: "SELECT * FROM moves WHERE state = 'posted'" },
      },
      async (session) => {
        const { rows } = await session.engine.query("SELECT count(*)::INTEGER AS n FROM moves");
        expect(rows).toEqual([{ n: 2 }]);
        return session.writeQuery("gold/finance/posted", "SELECT id, state, amount FROM posted", {
          mode: "overwrite",
          provenance: { ...provenance, phase: "gold" },
          partitionColumns: ["state"],
        });
      },
    );
    expect(written).toEqual({ location: "gold/finance/posted", version: 1, rowCount: 1 });
    const again = await lake.session({ moves: { location: "bronze/odoo/moves" } }, (session) =>
      session.writeQuery(
        "gold/finance/posted",
        "SELECT id, state, amount FROM moves WHERE state = 'posted'",
        {
          mode: "overwrite",
          provenance: { ...provenance, phase: "gold" },
        },
      ),
    );
    expect(again).toEqual({ location: "gold/finance/posted", version: 2, rowCount: 2 });
    const gold = await lake.snapshot({ location: "gold/finance/posted" });
    expect(gold?.partitionColumns).toEqual(["state"]);
    expect(gold?.summary.operation).toBe("overwrite");
    const history = await lake.history("gold/finance/posted");
    expect(history.map((h) => [h.version, h.operation, h.provenance?.phase])).toEqual([
      [2, "overwrite", "gold"],
      [1, "append", "gold"],
    ]);

    // The same rows of the same types in a Delta lakehouse hash the same: the hash is
    // the rows', not the format's. Iceberg has no `short`: its `qty` is an `int`, and
    // the column types are part of the hash (format v2), so the Delta table gets `int`
    // too; with Delta's `short` the digest differs.
    const deltaRoot = await mkdtemp(join(tmpdir(), "controlroom-iceberg-vs-delta-"));
    dirs.push(deltaRoot);
    const delta = createDeltaLakehouse({ store: createLocalObjectStore({ root: deltaRoot }) });
    try {
      const asIceberg: TableSchema = {
        fields: schema.fields.map((f) => (f.name === "qty" ? { ...f, type: "integer" } : f)),
      };
      await delta.appendRows("bronze/odoo/moves", batchesOf(rows1, rows2), {
        schema: asIceberg,
        provenance,
      });
      await delta.appendRows("bronze/odoo/short", batchesOf(rows1, rows2), { schema, provenance });
      const deltaHash = await delta.contentHash({ location: "bronze/odoo/moves" });
      const icebergHash = await lake.contentHash({ location: "bronze/odoo/moves" });
      expect(icebergHash).toEqual({ ...deltaHash, version: 2 });
      const short = await delta.contentHash({ location: "bronze/odoo/short" });
      expect(short.rowCount).toBe(icebergHash.rowCount);
      expect(short.sha256).not.toBe(icebergHash.sha256);
      expect((await lake.contentHash({ location: "bronze/odoo/moves", version: 1 })).rowCount).toBe(
        2,
      );
    } finally {
      await delta.close();
    }
  });

  it("restores a table to an earlier version in a new snapshot", async () => {
    const lake = openLake();
    await lake.appendRows("silver/odoo/moves", batchesOf(rows1), { schema, provenance });
    await lake.session({}, (session) =>
      session.writeQuery("silver/odoo/moves", "SELECT 7::BIGINT AS id, 'x' AS state", {
        mode: "overwrite",
        provenance,
      }),
    );
    const before = await lake.contentHash({ location: "silver/odoo/moves", version: 1 });
    const restored = await lake.restore("silver/odoo/moves", {
      version: 1,
      provenance: { ...provenance, phase: "rollback" },
    });
    expect(restored).toEqual({
      location: "silver/odoo/moves",
      version: 3,
      committed: true,
      previousVersion: 2,
      restoredVersion: 1,
      filesAdded: 1,
      filesRemoved: 1,
    });
    const after = await lake.contentHash({ location: "silver/odoo/moves" });
    expect(after).toEqual({ ...before, version: 3 });
    const history = await lake.history("silver/odoo/moves");
    expect(history[0]?.provenance).toMatchObject({ phase: "rollback", restored_version: 1 });
    const noop = await lake.restore("silver/odoo/moves", { version: 1, provenance });
    expect(noop).toMatchObject({ version: 3, committed: false, filesAdded: 0, filesRemoved: 0 });
  });

  it("says clearly what is wrong", async () => {
    const lake = openLake();
    expect(await lake.snapshot({ location: "bronze/none" })).toBeUndefined();
    expect((await caught(lake.history("bronze/none"))).code).toBe("LAKEHOUSE_TABLE_NOT_FOUND");
    expect(
      (await caught(lake.session({ t: { location: "bronze/none" } }, async () => 1))).code,
    ).toBe("LAKEHOUSE_TABLE_NOT_FOUND");
    await lake.appendRows("bronze/t", batchesOf(rows1), { schema, provenance });
    expect((await caught(lake.contentHash({ location: "bronze/t", version: 9 }))).code).toBe(
      "LAKEHOUSE_VERSION_NOT_FOUND",
    );
    const mismatch = await caught(
      lake.appendRows("bronze/t", batchesOf(rows2), {
        schema: { fields: [{ name: "id", type: "string", nullable: false }] },
        provenance,
      }),
    );
    expect(mismatch.code).toBe("LAKEHOUSE_SCHEMA_MISMATCH");
    expect(mismatch.message).toContain('"id" is long in the table, string in the rows');
    const invalid = await caught(
      lake.appendRows("bronze/t", batchesOf([{ id: "x" }]), { schema, provenance }),
    );
    expect(invalid.code).toBe("LAKEHOUSE_INVALID_VALUE");
    const badName = await caught(
      lake.appendRows("Bronze/T", batchesOf(rows1), { schema, provenance }),
    );
    expect(badName.code).toBe("ICEBERG_INVALID_ARGUMENT");
    // `bronze/a_b` and `bronze_a/b` both map to bronze_a.b… the second is refused.
    await lake.appendRows("bronze_a/b", batchesOf(rows1), { schema, provenance });
    expect(defaultIdentifierOf("bronze/a/b")).toEqual(defaultIdentifierOf("bronze_a/b"));
    const clash = await caught(lake.snapshot({ location: "bronze/a/b" }));
    expect(clash.code).toBe("ICEBERG_INVALID_ARGUMENT");
    expect(clash.message).toContain("maps to the catalog table bronze_a.b");
    await lake.close();
    expect((await caught(lake.snapshot({ location: "bronze/t" }))).code).toBe("LAKEHOUSE_CLOSED");
  });

  const s3 = s3TestServer();
  it.skipIf(s3 === undefined)(
    "works on S3: files under s3:// URIs, read back through downloads",
    async () => {
      const store = testS3Store(s3 as NonNullable<typeof s3>);
      const lake = openLake(store);
      await lake.appendRows("bronze/odoo/moves", batchesOf(rows1, rows2), { schema, provenance });
      const snapshot = await lake.snapshot({ location: "bronze/odoo/moves" });
      expect(snapshot?.metadataLocation).toMatch(
        /^s3:\/\/.*\/bronze\/odoo\/moves\/metadata\/00001-.*\.metadata\.json$/,
      );
      expect(snapshot?.dataFiles[0]?.filePath).toMatch(
        /^s3:\/\/.*\/bronze\/odoo\/moves\/data\/.*\.parquet$/,
      );
      const ids = await lake.session({ m: { location: "bronze/odoo/moves" } }, async ({ engine }) =>
        (await engine.query("SELECT id FROM m ORDER BY id")).rows.map((r) => r.id),
      );
      expect(ids).toEqual([1n, 2n, 3n]);
      const table = openIcebergTable({
        store,
        catalog: bed.catalog,
        identifier: { namespace: ["bronze_odoo"], name: "moves" },
      });
      try {
        expect((await table.history()).map((h) => h.version)).toEqual([1]);
      } finally {
        await table.close();
        await store.close();
      }
    },
  );
});
