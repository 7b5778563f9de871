import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type IcebergSchema,
  type IcebergSnapshotSelector,
  type IcebergTable,
  openIcebergTable,
} from "../src/iceberg/index.js";
import { type IcebergTestBed, openIcebergTestBed } from "./iceberg-test-catalog.js";

// Interop with a real peer: PyIceberg (pyiceberg[sql-postgres], pinned in
// scripts/ci/install-python-packages.sh) on the same SQL catalog in Postgres reads the
// table our writer made (same snapshots, same rows at each one) and writes one our
// reader reads. In CI the package must be there; locally the suite is skipped with a
// message when it is not.
const run = promisify(execFile);
const script = fileURLToPath(new URL("./iceberg-pyiceberg.py", import.meta.url));
const available = await run("python3", [
  "-c",
  "import pyiceberg.catalog.sql, pyiceberg_core, psycopg2, pyarrow",
]).then(
  () => true,
  () => false,
);
const inCi = process.env.CI === "true" || process.env.CI === "1";
if (!available && !inCi) {
  console.warn(
    "iceberg-interop: python3 cannot import pyiceberg (with sqlalchemy, psycopg2, pyarrow); skipping (run scripts/ci/install-python-packages.sh)",
  );
}

interface PyIcebergSnapshot {
  snapshot_id: string;
  parent_snapshot_id: string | null;
  sequence_number: number;
  operation: string;
  summary: Record<string, string>;
  rows: Record<string, string | null>[];
}
interface PyIcebergTable {
  format_version: number;
  current_snapshot_id: string | null;
  schema: { id: number; name: string; type: string; required: boolean }[];
  partition_spec: { source_id: number; field_id: number; name: string; transform: string }[];
  snapshots: PyIcebergSnapshot[];
}

const CATALOG = "interop";
const schema: IcebergSchema = {
  fields: [
    { id: 1, name: "id", type: "long", required: true },
    { id: 2, name: "name", type: "string", required: false },
    { id: 3, name: "day", type: "date", required: false },
    { id: 4, name: "amount", type: "decimal(12, 2)", required: false },
    { id: 5, name: "at", type: "timestamptz", required: false },
  ],
};
const provenance = { run_id: "run_interop", phase: "gold", git_sha: "feedbeef" };

let bed: IcebergTestBed;
beforeAll(async () => {
  bed = await openIcebergTestBed(CATALOG);
});
afterAll(async () => {
  await bed?.close();
});

async function pyiceberg(command: "read" | "write", namespace: string, name: string) {
  const uri = bed.url.replace(/^postgres(ql)?:/, "postgresql+psycopg2:");
  const { stdout } = await run(
    "python3",
    [script, command, uri, CATALOG, bed.store.uri("warehouse"), namespace, name],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as PyIcebergTable;
}

/** A snapshot's rows as PyIceberg's script prints them: text values, sorted. */
async function canonicalRows(table: IcebergTable, selector: IcebergSnapshotSelector) {
  const scan = await table.scan(selector);
  try {
    const { rows } = await (await table.engine()).query<Record<string, string | null>>(
      `SELECT CAST("id" AS VARCHAR) AS "id", "name", CAST("day" AS VARCHAR) AS "day",
              CAST("amount" AS VARCHAR) AS "amount", CAST(epoch_us("at") AS VARCHAR) AS "at"
       FROM (${scan.sql})`,
    );
    return sorted(rows);
  } finally {
    await scan.dispose();
  }
}

function sorted(rows: Record<string, string | null>[]) {
  const key = (row: Record<string, string | null>) =>
    JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)));
  return rows.map((row) => ({ ...row })).sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

describe.skipIf(!available && !inCi)("Iceberg interop with PyIceberg on the SQL catalog", () => {
  it("has pyiceberg importable (required in CI)", () => {
    expect(
      available,
      "python3 cannot import pyiceberg: run scripts/ci/install-python-packages.sh",
    ).toBe(true);
  });

  it("PyIceberg reads our table: same snapshots, lineage, schema, spec and rows at every snapshot", async () => {
    const table = openIcebergTable({
      store: bed.store,
      catalog: bed.catalog,
      identifier: { namespace: ["gold"], name: "ours" },
    });
    try {
      await table.create({ schema, partitionSpec: [{ source: "day", transform: "month" }] });
      const first = await table.append(
        {
          rows: [
            {
              id: 1n,
              name: "a",
              day: "2024-01-05",
              amount: "10.25",
              at: new Date("2024-01-05T10:00:00.123Z"),
            },
            { id: 9007199254740993n, name: null, day: null, amount: null, at: null },
          ],
        },
        { provenance },
      );
      const second = await table.append(
        { rows: [{ id: 2n, name: "b", day: "2024-02-01", amount: "-3.10" }] },
        { provenance: { ...provenance, run_id: "run_interop_2" } },
      );
      const third = await table.overwrite(
        { rows: [{ id: 3n, name: "c", day: "2024-03-01", amount: "0.01" }] },
        { provenance },
      );

      const seen = await pyiceberg("read", "gold", "ours");
      expect(seen.format_version).toBe(2);
      expect(seen.current_snapshot_id).toBe(String(third.snapshotId));
      expect(seen.schema).toEqual([
        { id: 1, name: "id", type: "long", required: true },
        { id: 2, name: "name", type: "string", required: false },
        { id: 3, name: "day", type: "date", required: false },
        { id: 4, name: "amount", type: "decimal(12, 2)", required: false },
        { id: 5, name: "at", type: "timestamptz", required: false },
      ]);
      expect(seen.partition_spec).toEqual([
        { source_id: 3, field_id: 1000, name: "day_month", transform: "month" },
      ]);
      expect(
        seen.snapshots.map((s) => [
          s.snapshot_id,
          s.parent_snapshot_id,
          s.sequence_number,
          s.operation,
        ]),
      ).toEqual([
        [String(first.snapshotId), null, 1, "append"],
        [String(second.snapshotId), String(first.snapshotId), 2, "append"],
        [String(third.snapshotId), String(second.snapshotId), 3, "overwrite"],
      ]);
      expect(seen.snapshots[1]?.summary).toMatchObject({
        "controlroom.run_id": "run_interop_2",
        "controlroom.phase": "gold",
        "controlroom.git_sha": "feedbeef",
      });
      for (const snapshot of seen.snapshots) {
        const ours = await canonicalRows(table, { snapshotId: snapshot.snapshot_id });
        expect(sorted(snapshot.rows)).toEqual(ours);
      }
      expect(sorted(seen.snapshots[0]?.rows ?? [])).toEqual([
        { id: "1", name: "a", day: "2024-01-05", amount: "10.25", at: "1704448800123000" },
        { id: "9007199254740993", name: null, day: null, amount: null, at: null },
      ]);
      expect(seen.snapshots[2]?.rows).toEqual([
        { id: "3", name: "c", day: "2024-03-01", amount: "0.01", at: null },
      ]);
    } finally {
      await table.close();
    }
  });

  it("we read PyIceberg's table at every snapshot, then append to it and PyIceberg reads the result", async () => {
    const written = await pyiceberg("write", "bronze", "theirs");
    const table = openIcebergTable({
      store: bed.store,
      catalog: bed.catalog,
      identifier: { namespace: ["bronze"], name: "theirs" },
    });
    try {
      const history = await table.history();
      expect(history.map((h) => [String(h.snapshotId), h.version, h.operation]).reverse()).toEqual(
        written.snapshots.map((s) => [s.snapshot_id, s.sequence_number, s.operation]),
      );
      const current = await table.snapshot();
      expect(String(current.snapshotId)).toBe(written.current_snapshot_id);
      expect(current.icebergSchema.fields.map((f) => [f.id, f.name, f.type, f.required])).toEqual(
        written.schema.map((f) => [f.id, f.name, f.type, f.required]),
      );
      expect(current.partitionSpec.fields).toEqual([
        { sourceId: 3, fieldId: 1000, name: "day_month", transform: "month" },
      ]);
      for (const snapshot of written.snapshots) {
        expect(await canonicalRows(table, { snapshotId: snapshot.snapshot_id })).toEqual(
          sorted(snapshot.rows),
        );
      }
      expect((written.snapshots[1]?.rows ?? []).map((r) => r.id).sort()).toEqual([
        "1",
        "2",
        "9007199254740993",
      ]);

      const ours = await table.append(
        { rows: [{ id: 4n, name: "d", day: "2024-03-09", amount: "7.00" }] },
        { provenance },
      );
      const after = await pyiceberg("read", "bronze", "theirs");
      expect(after.current_snapshot_id).toBe(String(ours.snapshotId));
      const last = after.snapshots.at(-1);
      expect(last?.parent_snapshot_id).toBe(written.current_snapshot_id);
      expect(last?.sequence_number).toBe((written.snapshots.at(-1)?.sequence_number ?? 0) + 1);
      expect(sorted(last?.rows ?? [])).toEqual(
        sorted([
          { id: "3", name: "c", day: "2024-03-01", amount: "0.01", at: null },
          { id: "4", name: "d", day: "2024-03-09", amount: "7.00", at: null },
        ]),
      );
    } finally {
      await table.close();
    }
  });
});
