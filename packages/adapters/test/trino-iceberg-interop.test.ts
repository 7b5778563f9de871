import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createIcebergSqlCatalog,
  type IcebergSchema,
  type IcebergSqlCatalog,
  openIcebergTable,
} from "../src/iceberg/index.js";
import type { S3ObjectStore } from "../src/s3/index.js";
import type { TrinoEngine } from "../src/trino/index.js";
import { s3TestServer, testS3Store } from "./s3-test-server.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestEngine,
  trinoTestServer,
} from "./trino-test-server.js";

// Interop with Trino's Iceberg connector: both sides share the S3 test store and the
// JDBC catalog in the test Postgres (catalog name `controlroom` on both), so a table
// one side commits is the table the other side reads, snapshot for snapshot.
const skip = trinoSkipReason();

const schema: IcebergSchema = {
  fields: [
    { id: 1, name: "id", type: "long", required: true },
    { id: 2, name: "letter", type: "string", required: false },
    { id: 3, name: "day", type: "date", required: false },
    { id: 4, name: "amount", type: "decimal(12, 2)", required: false },
    { id: 5, name: "at", type: "timestamptz", required: false },
  ],
};
const provenance = { run_id: "run_trino_iceberg", phase: "gold", git_sha: "feedbeef" };

// One comparable text per row, whichever side read it: both read DATE and TIMESTAMP as
// Date and BIGINT as bigint; DECIMAL is text on Trino's side, so both go through
// a fixed two-digit rendering (the values here are exact in a double).
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((key) => {
            const value = row[key];
            if (value === null || value === undefined) return [key, null];
            if (key === "amount") return [key, Number(value).toFixed(2)];
            if (value instanceof Date) return [key, value.toISOString()];
            return [key, String(value)];
          }),
      ),
    )
    .sort();
}

function batch(from: number, count: number, note = ""): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i;
    return {
      id: BigInt(id),
      letter: i % 4 === 3 ? null : `${["a", "b/c", "50% off"][i % 3]}${note}`,
      day: i % 5 === 4 ? null : `2024-0${1 + (i % 3)}-1${i % 10}`,
      amount: `${id}.25`,
      at: new Date(Date.UTC(2024, 5, 1, 12, from % 60, i, 125)),
    };
  });
}

interface TrinoSnapshotRow {
  snapshot_id: bigint;
  parent_id: bigint | null;
  operation: string;
}

describe.skipIf(skip !== undefined)(
  `Iceberg interop with Trino${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let server: TrinoTestServer;
    let engine: TrinoEngine;
    let store: S3ObjectStore;
    let base: string;
    let sql: postgres.Sql | undefined;
    let catalog: IcebergSqlCatalog;
    const namespace = `iceberg_interop_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

    beforeAll(async () => {
      server = await trinoTestServer();
      if (!server.iceberg || server.icebergCatalogUrl === "") return;
      const s3 = s3TestServer();
      if (s3 === undefined) throw new Error("the Iceberg interop test needs the S3 test server");
      const prefix = `trino-iceberg-${crypto.randomUUID()}`;
      store = testS3Store(s3, { prefix });
      base = `s3://${s3.bucket}/${prefix}`;
      sql = postgres(server.icebergCatalogUrl, { max: 2, onnotice: () => undefined });
      // Trino's catalog-name: a different name would hide each side's tables from the other.
      catalog = createIcebergSqlCatalog({ connection: sql, catalogName: "controlroom" });
      engine = trinoTestEngine(server, { catalog: "iceberg", schema: namespace });
    }, TRINO_START_TIMEOUT_MS);
    afterAll(async () => {
      // Files stay with the test prefix; the catalog rows go with the schema.
      for (const table of ["ours", "theirs", "registered"]) {
        await engine?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      }
      await engine?.execute(`DROP SCHEMA IF EXISTS iceberg.${namespace}`).catch(() => undefined);
      await engine?.close();
      await sql?.end({ timeout: 1 });
    });

    it("reads our partitioned table with the same rows and snapshots", async (context) => {
      if (sql === undefined) context.skip("the server has no iceberg catalog (no test Postgres)");
      const table = openIcebergTable({
        store,
        catalog,
        identifier: { namespace: [namespace], name: "ours" },
      });
      await table.create({
        schema,
        partitionSpec: [
          { source: "day", transform: "month" },
          { source: "letter", transform: "identity" },
        ],
      });
      await table.append({ rows: batch(0, 12) }, { provenance });
      await table.append({ rows: batch(100, 7) }, { provenance });
      await table.overwrite({ rows: batch(200, 9, " new") }, { provenance });

      const history = await table.history();
      expect(history.map((entry) => entry.operation)).toEqual(["overwrite", "append", "append"]);
      const ours = await table.readRows();
      expect(ours.rows).toHaveLength(9);

      const current = await engine.query("SELECT * FROM ours");
      expect(current.columns.map((column) => column.name)).toEqual(
        schema.fields.map((field) => field.name),
      );
      expect(canonical(current.rows)).toEqual(canonical(ours.rows));

      const snapshots = await engine.query<TrinoSnapshotRow>(
        `SELECT snapshot_id, parent_id, operation FROM "ours$snapshots" ORDER BY committed_at DESC`,
      );
      // Snapshot ids are 64-bit: compared as bigints, never through a double.
      expect(snapshots.rows).toEqual(
        history.map((entry) => ({
          snapshot_id: entry.snapshotId,
          parent_id: entry.parentSnapshotId ?? null,
          operation: entry.operation,
        })),
      );
      for (const entry of history) {
        const then = await engine.query(`SELECT * FROM ours FOR VERSION AS OF ${entry.snapshotId}`);
        const mine = await table.readRows({ snapshotId: entry.snapshotId });
        expect(canonical(then.rows)).toEqual(canonical(mine.rows));
      }
      // Trino prunes by our partition values, special characters and NULL included.
      const filtered = await engine.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM ours WHERE letter = ? OR letter IS NULL",
        { params: ["b/c new"] },
      );
      const expected = ours.rows.filter((row) => row.letter === "b/c new" || row.letter === null);
      expect(filtered.rows).toEqual([{ n: BigInt(expected.length) }]);
      await table.close();
    }, 240_000);

    it("has Trino's writes read back by our reader at each snapshot", async (context) => {
      if (sql === undefined) context.skip("the server has no iceberg catalog (no test Postgres)");
      await engine.execute(`CREATE SCHEMA IF NOT EXISTS iceberg.${namespace}`);
      // The location puts Trino's files under our store's prefix, where our reader looks.
      await engine.execute(
        "CREATE TABLE theirs (id bigint, letter varchar, day date, amount decimal(12,2), " +
          "at timestamp(6) with time zone) " +
          `WITH (location = '${base}/theirs', partitioning = ARRAY['letter', 'month(day)'])`,
      );
      for (let round = 0; round < 3; round++) {
        const values = Array.from({ length: 4 }, (_, i) => {
          const id = round * 10 + i;
          const letter = i === 3 ? "NULL" : `'${["x", "y/z", "50% off"][i]}'`;
          return `(${id}, ${letter}, DATE '2024-0${1 + i}-0${1 + round}', DECIMAL '${id}.50', TIMESTAMP '2024-03-01 10:00:0${i}.125 UTC')`;
        });
        expect(await engine.execute(`INSERT INTO theirs VALUES ${values.join(", ")}`)).toEqual({
          rowsAffected: 4,
        });
      }

      const table = openIcebergTable({
        store,
        catalog,
        identifier: { namespace: [namespace], name: "theirs" },
      });
      const snapshots = await engine.query<TrinoSnapshotRow>(
        `SELECT snapshot_id, parent_id, operation FROM "theirs$snapshots" ORDER BY committed_at DESC`,
      );
      const history = await table.history();
      // CREATE TABLE commits an empty snapshot before the three INSERTs.
      expect(snapshots.rows.length).toBeGreaterThanOrEqual(3);
      expect(
        history.map((entry) => ({
          snapshot_id: entry.snapshotId,
          parent_id: entry.parentSnapshotId ?? null,
          operation: entry.operation,
        })),
      ).toEqual(snapshots.rows);
      const current = await table.readRows();
      expect(current.rows).toHaveLength(12);
      for (const { snapshot_id: id } of snapshots.rows) {
        const then = await engine.query(`SELECT * FROM theirs FOR VERSION AS OF ${id}`);
        const mine = await table.readRows({ snapshotId: id });
        expect(mine.columns.map((column) => column.name)).toEqual(then.columns.map((c) => c.name));
        expect(canonical(mine.rows)).toEqual(canonical(then.rows));
      }
      await table.close();
    }, 240_000);

    it("registers a table of a catalog it cannot see from its metadata files", async (context) => {
      const connection = sql;
      if (connection === undefined) {
        return context.skip("the server has no iceberg catalog (no test Postgres)");
      }
      // Another catalog name stands for one Trino cannot reach (the demo's embedded one).
      const elsewhere = createIcebergSqlCatalog({ connection, catalogName: "elsewhere" });
      const identifier = { namespace: [namespace], name: "registered" };
      const table = openIcebergTable({ store, catalog: elsewhere, identifier });
      await table.create({
        schema,
        location: "registered",
        data: { rows: batch(0, 5) },
        provenance,
      });
      await engine.execute(`CREATE SCHEMA IF NOT EXISTS iceberg.${namespace}`);
      const register = () =>
        engine.execute(
          `CALL iceberg.system.register_table(schema_name => '${namespace}', ` +
            `table_name => 'registered', table_location => '${store.uri("registered")}')`,
        );
      await register();
      const first = await table.readRows();
      expect(canonical((await engine.query("SELECT * FROM registered")).rows)).toEqual(
        canonical(first.rows),
      );
      // Trino's entry names the metadata file current when it registered: a later commit
      // shows up only after registering again.
      await table.append({ rows: batch(50, 3) }, { provenance });
      expect((await engine.query("SELECT * FROM registered")).rows).toHaveLength(5);
      await engine.execute(
        `CALL iceberg.system.unregister_table(schema_name => '${namespace}', table_name => 'registered')`,
      );
      await register();
      const second = await table.readRows();
      expect(second.rows).toHaveLength(8);
      expect(canonical((await engine.query("SELECT * FROM registered")).rows)).toEqual(
        canonical(second.rows),
      );
      await table.close();
    }, 240_000);
  },
);
