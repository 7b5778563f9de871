import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAvroContainer } from "../src/iceberg/avro-container.js";
import {
  IcebergError,
  type IcebergSchema,
  type IcebergTable,
  isAdapterError,
  openIcebergTable,
} from "../src/iceberg/index.js";
import { storeKeyOf } from "../src/iceberg/store-uri.js";
import { type IcebergTestBed, openIcebergTestBed } from "./iceberg-test-catalog.js";

const provenance = { run_id: "run_1", phase: "silver", git_sha: "0123abc" };
const schema: IcebergSchema = {
  fields: [
    { id: 1, name: "id", type: "long", required: true },
    { id: 2, name: "name", type: "string", required: false },
    { id: 3, name: "day", type: "date", required: false },
    { id: 4, name: "amount", type: "decimal(12, 2)", required: false },
    { id: 5, name: "at", type: "timestamptz", required: false },
  ],
};

let bed: IcebergTestBed;
const tables: IcebergTable[] = [];
beforeEach(async () => {
  bed = await openIcebergTestBed();
});
afterEach(async () => {
  for (const table of tables.splice(0)) await table.close();
  await bed.close();
});

function open(name = "orders", namespace = ["silver"]): IcebergTable {
  const table = openIcebergTable({
    store: bed.store,
    catalog: bed.catalog,
    identifier: { namespace, name },
  });
  tables.push(table);
  return table;
}

async function caught(promise: Promise<unknown>): Promise<IcebergError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IcebergError);
  return error as IcebergError;
}

async function fileAt(uri: string | undefined): Promise<Uint8Array> {
  const bytes = await bed.store.get(storeKeyOf(bed.store, uri ?? "") ?? "missing");
  if (bytes === undefined) throw new Error(`no file at ${uri}`);
  return bytes;
}

const ids = (rows: Record<string, unknown>[]) => rows.map((row) => row.id).sort();

describe("IcebergTable on the SQL catalog", () => {
  it("creates a table: a v2 metadata file, a catalog row, an empty version 0", async () => {
    const table = open();
    const { metadataLocation } = await table.create({
      schema,
      partitionSpec: [{ source: "day", transform: "month" }],
      properties: { owner: "finance" },
    });
    const [row] =
      await bed.sql`SELECT catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location FROM iceberg_tables`;
    expect(row).toEqual({
      catalog_name: "controlroom",
      table_namespace: "silver",
      table_name: "orders",
      metadata_location: metadataLocation,
      previous_metadata_location: null,
    });
    expect(metadataLocation).toMatch(
      /^file:\/\/.*\/silver\/orders\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/,
    );
    const namespaces =
      await bed.sql`SELECT namespace, property_key, property_value FROM iceberg_namespace_properties`;
    expect(namespaces).toEqual([
      { namespace: "silver", property_key: "exists", property_value: "true" },
    ]);

    const snapshot = await table.snapshot();
    expect(snapshot.version).toBe(0);
    expect(snapshot.snapshotId).toBeUndefined();
    expect(snapshot.files).toEqual([]);
    expect(snapshot.icebergSchema.fields).toEqual(schema.fields);
    expect(snapshot.partitionSpec).toEqual({
      specId: 0,
      fields: [{ sourceId: 3, fieldId: 1000, name: "day_month", transform: "month" }],
    });
    expect(snapshot.properties).toEqual({ owner: "finance" });
    expect(snapshot.schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ["id", "long", false],
      ["name", "string", true],
      ["day", "date", true],
      ["amount", "decimal(12,2)", true],
      ["at", "timestamp", true],
    ]);
    expect((await table.readRows()).rows).toEqual([]);
    const again = await caught(open().create({ schema }));
    expect(again.code).toBe("ICEBERG_TABLE_EXISTS");
  });

  it("appends snapshots with exact 64-bit ids, provenance and partitioned Parquet files tagged with field ids", async () => {
    const table = open();
    await table.create({ schema, partitionSpec: [{ source: "day", transform: "month" }] });
    const first = await table.append(
      {
        rows: [
          {
            id: 1n,
            name: "a",
            day: "2024-01-05",
            amount: "10.25",
            at: new Date("2024-01-05T10:00:00Z"),
          },
          { id: 2n, name: "b", day: "2024-02-01", amount: "-3.10", at: null },
          { id: 9007199254740993n, name: null, day: null, amount: null, at: null },
        ],
      },
      { provenance },
    );
    expect(first).toMatchObject({ sequenceNumber: 1, attempts: 1, rowCount: 3 });
    expect(typeof first.snapshotId).toBe("bigint");
    const second = await table.append(
      { rows: [{ id: 4n, name: "d", day: "2024-01-31" }] },
      {
        provenance: { ...provenance, run_id: "run_2", attempt: 2 },
      },
    );
    expect(second.sequenceNumber).toBe(2);

    const current = await table.snapshot();
    expect(current.snapshotId).toBe(second.snapshotId);
    expect(current.parentSnapshotId).toBe(first.snapshotId);
    expect(current.files.map((f) => f.partitionValues?.day_month).sort()).toEqual([
      "2024-01",
      "2024-01",
      "2024-02",
      null,
    ]);
    expect(current.summary).toMatchObject({
      operation: "append",
      "added-data-files": "1",
      "added-records": "1",
      "total-data-files": "4",
      "total-records": "4",
      "controlroom.run_id": "run_2",
      "controlroom.attempt": "2",
    });
    const { rows } = await table.readRows();
    expect(ids(rows)).toEqual([1n, 2n, 4n, 9007199254740993n]);
    expect(rows.find((row) => row.id === 1n)).toEqual({
      id: 1n,
      name: "a",
      day: new Date("2024-01-05T00:00:00Z"),
      amount: 10.25,
      at: new Date("2024-01-05T10:00:00Z"),
    });

    // The metadata JSON keeps the snapshot id exactly (a double would round it).
    expect(new TextDecoder().decode(await fileAt(current.metadataLocation))).toContain(
      `"current-snapshot-id":${second.snapshotId}`,
    );

    // Data files carry Iceberg field ids; the manifest list and manifests are Avro with field ids.
    const engine = await table.engine();
    const file = current.dataFiles[0]?.filePath as string;
    const { rows: parquetFields } = await engine.query(
      `SELECT name, field_id FROM parquet_schema('${new URL(file).pathname}') WHERE field_id IS NOT NULL ORDER BY field_id`,
    );
    expect(parquetFields).toEqual([
      { name: "id", field_id: 1n },
      { name: "name", field_id: 2n },
      { name: "day", field_id: 3n },
      { name: "amount", field_id: 4n },
      { name: "at", field_id: 5n },
    ]);
    const list = readAvroContainer(await fileAt(current.manifestList), "manifest list");
    expect(list.metadata).toMatchObject({
      "snapshot-id": String(second.snapshotId),
      "parent-snapshot-id": String(first.snapshotId),
      "sequence-number": "2",
      "format-version": "2",
    });
    expect(JSON.stringify(list.schema)).toContain('"field-id":503');
    expect(
      list.records.map((r) => (r as { added_snapshot_id: bigint }).added_snapshot_id).sort(),
    ).toEqual([first.snapshotId, second.snapshotId].sort());
    const manifest = readAvroContainer(
      await fileAt((list.records[0] as { manifest_path: string }).manifest_path),
      "manifest",
    );
    expect(manifest.metadata).toMatchObject({
      "format-version": "2",
      content: "data",
      "partition-spec-id": "0",
    });
    expect(JSON.parse(manifest.metadata["partition-spec"] as string)).toEqual([
      { name: "day_month", transform: "month", "source-id": 3, "field-id": 1000 },
    ]);
    const history = await table.history();
    expect(history.map((h) => [h.version, h.operation, h.provenance?.run_id])).toEqual([
      [2, "append", "run_2"],
      [1, "append", "run_1"],
    ]);
    expect(history[0]?.provenance).toEqual({ ...provenance, run_id: "run_2", attempt: 2 });
  });
});

describe("IcebergTable writes and time travel", () => {
  it("overwrites in one snapshot and travels back by snapshot id, sequence number and instant", async () => {
    const table = open();
    await table.create({ schema, partitionSpec: [{ source: "name", transform: "identity" }] });
    const first = await table.append(
      {
        rows: [
          { id: 1n, name: "a" },
          { id: 2n, name: "b" },
        ],
      },
      { provenance },
    );
    const afterFirst = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await table.overwrite(
      { sql: "SELECT 3::BIGINT AS id, 'c' AS name UNION ALL SELECT $1::BIGINT, 'a'", params: [4n] },
      { provenance },
    );
    expect(second).toMatchObject({ sequenceNumber: 2, rowCount: 2 });

    const current = await table.snapshot();
    expect(current.summary).toMatchObject({
      operation: "overwrite",
      "added-data-files": "2",
      "deleted-data-files": "2",
      "deleted-records": "2",
      "total-records": "2",
    });
    expect(ids((await table.readRows()).rows)).toEqual([3n, 4n]);
    expect(ids((await table.readRows({ snapshotId: first.snapshotId })).rows)).toEqual([1n, 2n]);
    expect(ids((await table.readRows({ snapshotId: String(first.snapshotId) })).rows)).toEqual([
      1n,
      2n,
    ]);
    expect(ids((await table.readRows({ version: 1 })).rows)).toEqual([1n, 2n]);
    expect((await table.readRows({ version: 0 })).rows).toEqual([]);
    expect(ids((await table.readRows({ timestamp: afterFirst })).rows)).toEqual([1n, 2n]);
    expect((await table.snapshot({ snapshotId: first.snapshotId })).files).toHaveLength(2);

    const missing = await caught(table.snapshot({ snapshotId: 42n }));
    expect(missing.code).toBe("ICEBERG_SNAPSHOT_NOT_FOUND");
    expect((await caught(table.snapshot({ version: 9 }))).code).toBe("ICEBERG_SNAPSHOT_NOT_FOUND");
    expect(
      (await caught(table.snapshot({ timestamp: new Date("2000-01-01T00:00:00Z") }))).code,
    ).toBe("ICEBERG_SNAPSHOT_NOT_FOUND");
    expect((await caught(table.snapshot({ snapshotId: "x1" }))).code).toBe(
      "ICEBERG_INVALID_ARGUMENT",
    );
    expect((await caught(table.snapshot({ snapshotId: 1n, version: 1 }))).code).toBe(
      "ICEBERG_INVALID_ARGUMENT",
    );
  });

  it("refuses bad schemas, partition specs and rows with typed errors, committing nothing", async () => {
    const bad = async (options: Parameters<IcebergTable["create"]>[0], pattern: RegExp) => {
      const error = await caught(
        open(`t${Math.random().toString(36).slice(2, 8)}`).create(options),
      );
      expect(isAdapterError(error)).toBe(true);
      expect(error.code).toBe("ICEBERG_INVALID_ARGUMENT");
      expect(error.message).toMatch(pattern);
    };
    const field = (id: number, name: string, type = "long") => ({
      id,
      name,
      type,
      required: false,
    });
    await bad({ schema: { fields: [] } }, /at least one field/);
    await bad({ schema: { fields: [field(1, "a"), field(1, "b")] } }, /field id 1 is used twice/);
    await bad({ schema: { fields: [field(0, "a")] } }, /positive integer id/);
    await bad({ schema: { fields: [field(1, "a"), field(2, "A")] } }, /named twice/);
    await bad({ schema: { fields: [field(1, "a", "varchar")] } }, /not an Iceberg primitive type/);
    await bad({ schema: { fields: [field(1, "a", "decimal(40, 2)")] } }, /precision ≤ 38/);
    await bad(
      { schema: { fields: [field(1, "a")] }, partitionSpec: [{ source: "b" }] },
      /not in the schema/,
    );
    await bad(
      {
        schema: { fields: [field(1, "a", "string")] },
        partitionSpec: [{ source: "a", transform: "day" }],
      },
      /cannot partition column "a" \(string\) by day/,
    );
    await bad(
      {
        schema: { fields: [field(1, "a")] },
        partitionSpec: [{ source: "a", transform: "bucket[0]" }],
      },
      /unknown partition transform/,
    );
    // Refused before the catalog was touched: its tables were not even created.
    expect(await bed.sql`SELECT to_regclass('iceberg_tables') AS t`).toEqual([{ t: null }]);

    const table = open();
    await table.create({ schema });
    const nulls = await caught(table.append({ rows: [{ id: null, name: "x" }] }, { provenance }));
    expect(nulls.message).toMatch(/required column "id" would get nulls/);
    const extra = await caught(table.append({ rows: [{ id: 1n, color: "red" }] }, { provenance }));
    expect(extra.message).toMatch(/no column "color"/);
    const bucketed = open("bucketed");
    await bucketed.create({ schema, partitionSpec: [{ source: "id", transform: "bucket[16]" }] });
    const unsupported = await caught(bucketed.append({ rows: [{ id: 1n }] }, { provenance }));
    expect(unsupported.code).toBe("ICEBERG_UNSUPPORTED_FEATURE");
    expect((await table.snapshot()).version).toBe(0);
    expect(await table.history()).toEqual([]);
  });
});
