import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  IcebergCommitConflictError,
  IcebergCommitStateUnknownError,
  type IcebergSqlCatalog,
  type IcebergTable,
  openIcebergTable,
} from "../src/iceberg/index.js";
import { type PgFaultProxy, startPgFaultProxy } from "./iceberg-pg-proxy.js";
import { type IcebergTestBed, openIcebergTestBed } from "./iceberg-test-catalog.js";

// Optimistic commits against the SQL catalog on a real Postgres. Interleavings are made
// with a TCP proxy between a second writer and the server: it holds that writer's
// UPDATE until the first writer has committed, or drops the connection around it.

const provenance = { run_id: "run_commit", phase: "ingest", git_sha: "0123abc" };
const schema = {
  fields: [
    { id: 1, name: "id", type: "long", required: true },
    { id: 2, name: "note", type: "string", required: false },
  ],
};
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const identifier = { namespace: ["bronze"], name: "events" };

let bed: IcebergTestBed;
let proxy: PgFaultProxy;
const tables: IcebergTable[] = [];
beforeEach(async () => {
  bed = await openIcebergTestBed();
  proxy = await startPgFaultProxy(bed.url);
});
afterEach(async () => {
  for (const table of tables.splice(0)) await table.close();
  await proxy.close();
  await bed.close();
});

function open(catalog: IcebergSqlCatalog): IcebergTable {
  const table = openIcebergTable({ store: bed.store, catalog, identifier });
  tables.push(table);
  return table;
}

/** The first writer (direct) with one committed row, and a second writer through the proxy. */
async function twoWriters() {
  const first = open(bed.catalog);
  await first.create({ schema });
  await first.append({ rows: [{ id: 1n, note: "first" }] }, { provenance });
  const second = open(bed.openCatalog(proxy.url).catalog);
  return { first, second };
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(join(bed.root, "bronze/events", dir), { recursive: true }))
    .filter((name) => /\.(json|avro|parquet)$/.test(name))
    .sort();
}

async function ids(table: IcebergTable): Promise<bigint[]> {
  return (await table.readRows()).rows.map((row) => row.id as bigint).sort();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("Iceberg commits through the SQL catalog", () => {
  it("re-applies a blind append on top of a writer that committed in between", async () => {
    const { first, second } = await twoWriters();
    const held = proxy.onStatement("UPDATE iceberg_tables", "hold");
    const appending = second.append({ rows: [{ id: 2n, note: "second" }] }, { provenance });
    const gate = await held; // the second writer's UPDATE is on the wire, on the old metadata
    const between = await first.append({ rows: [{ id: 3n, note: "between" }] }, { provenance });
    gate.release();
    const result = await appending;

    expect(result.attempts).toBe(2);
    expect(result.sequenceNumber).toBe(3);
    expect(await ids(first)).toEqual([1n, 2n, 3n]);
    const history = await first.history();
    expect(history.map((h) => h.version)).toEqual([3, 2, 1]);
    expect(history[0]?.snapshotId).toBe(result.snapshotId);
    expect(history[0]?.parentSnapshotId).toBe(between.snapshotId);
    const [row] =
      await bed.sql`SELECT metadata_location, previous_metadata_location FROM iceberg_tables`;
    expect(row?.metadata_location).toBe(result.metadataLocation);
    expect(row?.previous_metadata_location).toBe(between.metadataLocation);
    // The lost attempt's manifest list and metadata file were deleted: one of each per version.
    const metadata = await files("metadata");
    expect(metadata.filter((name) => name.endsWith(".metadata.json"))).toHaveLength(4);
    expect(metadata.filter((name) => name.startsWith("snap-"))).toHaveLength(3);
    expect(await files("data")).toHaveLength(3);
  });

  it("fails an overwrite when another writer committed first, and deletes what it wrote", async () => {
    const { first, second } = await twoWriters();
    const before = await files("");
    const held = proxy.onStatement("UPDATE iceberg_tables", "hold");
    const overwriting = second.overwrite({ rows: [{ id: 9n }] }, { provenance });
    const gate = await held;
    await first.append({ rows: [{ id: 3n }] }, { provenance });
    gate.release();
    const error = await rejection(overwriting);

    expect(error).toBeInstanceOf(IcebergCommitConflictError);
    expect((error as IcebergCommitConflictError).code).toBe("ICEBERG_COMMIT_CONFLICT");
    expect((error as Error).message).toMatch(
      /prepared on snapshot \d+, but snapshot \d+ is current/,
    );
    expect(await ids(first)).toEqual([1n, 3n]);
    // Only the first writer's commit added files: one data file, manifest, list, metadata.
    const added = (await files("")).filter((name) => !before.includes(name));
    expect(added.map((name) => name.replace(UUID, "*").replace(/\d{10,}/, "*"))).toEqual([
      "data/00000-*.parquet",
      "metadata/00002-*.metadata.json",
      "metadata/*-m0.avro",
      "metadata/snap-*-1-*.avro",
    ]);
  });

  it("says the state is unknown when the connection drops after the UPDATE reached the server, and does not retry", async () => {
    const { first, second } = await twoWriters();
    const [before] = await bed.sql`SELECT metadata_location FROM iceberg_tables`;
    proxy.onStatement("UPDATE iceberg_tables", "cut-after");
    const error = await rejection(second.append({ rows: [{ id: 2n }] }, { provenance }));

    expect(error).toBeInstanceOf(IcebergCommitStateUnknownError);
    const unknown = error as IcebergCommitStateUnknownError;
    expect(unknown.code).toBe("ICEBERG_COMMIT_STATE_UNKNOWN");
    expect(unknown.previousMetadataLocation).toBe(before?.metadata_location);
    // The server did commit: the catalog names the metadata file the error reports, the
    // row is there exactly once, and the files it needs were left in place.
    const [after] = await bed.sql`SELECT metadata_location FROM iceberg_tables`;
    expect(after?.metadata_location).toBe(unknown.metadataLocation);
    expect(await ids(first)).toEqual([1n, 2n]);
    expect((await first.history()).map((h) => h.version)).toEqual([2, 1]);
  });

  it("says the state is unknown when the connection drops before the UPDATE arrives; the table is unchanged", async () => {
    const { first, second } = await twoWriters();
    const [before] = await bed.sql`SELECT metadata_location FROM iceberg_tables`;
    proxy.onStatement("UPDATE iceberg_tables", "cut-before");
    const error = await rejection(second.append({ rows: [{ id: 2n }] }, { provenance }));

    expect(error).toBeInstanceOf(IcebergCommitStateUnknownError);
    const [after] = await bed.sql`SELECT metadata_location FROM iceberg_tables`;
    expect(after?.metadata_location).toBe(before?.metadata_location);
    expect((error as IcebergCommitStateUnknownError).metadataLocation).not.toBe(
      before?.metadata_location,
    );
    expect(await ids(first)).toEqual([1n]);
  });

  it("commits concurrent appends of several writers, each exactly once, in one lineage", async () => {
    const setup = open(bed.catalog);
    await setup.create({ schema });
    const writers = Array.from({ length: 4 }, () => open(bed.openCatalog().catalog));
    const results = await Promise.all(
      writers.map((writer, i) =>
        writer.append(
          { rows: [{ id: BigInt(i + 10) }] },
          { provenance: { ...provenance, attempt: i } },
        ),
      ),
    );
    expect(results.map((r) => r.sequenceNumber).sort()).toEqual([1, 2, 3, 4]);
    expect(await ids(setup)).toEqual([10n, 11n, 12n, 13n]);
    const history = await setup.history();
    expect(history).toHaveLength(4);
    for (const [i, entry] of history.entries()) {
      expect(entry.parentSnapshotId).toBe(history[i + 1]?.snapshotId);
    }
  });

  it("refuses a second create of the same name, and a table the catalog lacks", async () => {
    const table = open(bed.catalog);
    await table.create({ schema });
    const again = await rejection(open(bed.openCatalog().catalog).create({ schema }));
    expect(again).toMatchObject({ code: "ICEBERG_TABLE_EXISTS" });
    const missing = openIcebergTable({
      store: bed.store,
      catalog: bed.catalog,
      identifier: { namespace: ["bronze"], name: "nope" },
    });
    tables.push(missing);
    await expect(missing.snapshot()).rejects.toMatchObject({ code: "ICEBERG_TABLE_NOT_FOUND" });
    await expect(missing.append({ rows: [] }, { provenance })).rejects.toMatchObject({
      code: "ICEBERG_TABLE_NOT_FOUND",
    });
  });
});
