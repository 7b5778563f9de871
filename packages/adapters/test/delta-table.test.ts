import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeltaTableFormat,
  DeltaConcurrentModificationError,
  DeltaError,
  DeltaUnsupportedFeatureError,
  type DuckDbSession,
  openDeltaTable,
  openDuckDbSession,
} from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { canonicalRows } from "./delta-conformance-cases.js";

const provenance = { run_id: "run_test", phase: "silver", git_sha: "0123abc" };
const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "letter", type: "string", nullable: true },
    { name: "day", type: "date", nullable: true },
    { name: "amount", type: "decimal(10,2)", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
    { name: "tags", type: "array<string>", nullable: true },
  ],
};
const row = (id: number, letter: string | null, day: string | null) => ({
  id: BigInt(id),
  letter,
  day,
  amount: `${id}.25`,
  at: new Date(Date.UTC(2024, 0, 1, 0, 0, id)),
  tags: [`t${id}`],
});

let root: string;
let session: DuckDbSession;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "controlroom-delta-table-"));
  session = await openDuckDbSession();
});
afterAll(async () => {
  await session.close();
  await rm(root, { recursive: true, force: true });
});

/** The rows we wrote, in the canonical form the conformance suite compares. */
async function canonicalInput(rows: ReturnType<typeof row>[]): Promise<string[]> {
  const values = rows.map(
    (r) =>
      `(${r.id}, ${r.letter === null ? "NULL" : `'${r.letter.replaceAll("'", "''")}'`}, ${r.day === null ? "NULL" : `DATE '${r.day}'`}, CAST('${r.amount}' AS DECIMAL(10,2)), TIMESTAMPTZ '${r.at.toISOString()}', ['${r.tags[0]}'])`,
  );
  return canonicalRows(
    session,
    `SELECT * FROM (VALUES ${values.join(", ")}) AS v(id, letter, day, amount, "at", tags)`,
  );
}

async function tableAt(name: string, store: ObjectStore = createLocalObjectStore({ root })) {
  return openDeltaTable({ store, location: `lake/${name}`, checkpointInterval: 3 });
}

describe("DeltaTable writer", () => {
  it("creates, appends and overwrites a partitioned table, with time travel", async () => {
    const table = await tableAt("orders");
    const first = [row(1, "a", "2024-01-01"), row(2, "a/b %x", "2024-01-02"), row(3, null, null)];
    const second = [row(4, "😈", "2024-01-01"), row(5, "a", "2024-01-01")];
    expect(
      (await table.create({ schema, partitionColumns: ["letter", "day"], provenance })).version,
    ).toBe(0);
    expect((await table.append({ rows: first }, { provenance })).version).toBe(1);
    expect((await table.append({ rows: second }, { provenance })).version).toBe(2);

    const scan = await table.scan();
    expect(await canonicalRows(session, scan.sql)).toEqual(
      await canonicalInput([...first, ...second]),
    );
    await scan.dispose();
    const v1 = await table.scan({ version: 1 });
    expect(await canonicalRows(session, v1.sql)).toEqual(await canonicalInput(first));
    await v1.dispose();

    const snapshot = await table.snapshot();
    expect(snapshot.version).toBe(2);
    expect(snapshot.partitionColumns).toEqual(["letter", "day"]);
    expect(snapshot.schema.fields.map((f) => f.type)).toEqual(schema.fields.map((f) => f.type));
    const nullFile = snapshot.files.find((f) => f.partitionValues.letter === null);
    expect(nullFile?.path).toMatch(
      /^letter=__HIVE_DEFAULT_PARTITION__\/day=__HIVE_DEFAULT_PARTITION__\//,
    );
    const escaped = snapshot.files.find((f) => f.partitionValues.letter === "a/b %x");
    expect(escaped?.path).toMatch(
      /^letter=a%2Fb %25x\/day=2024-01-02\/part-\d{5}-[0-9a-f]{32}\.snappy\.parquet$/,
    );
    const stats = escaped?.stats;
    expect(stats).toMatchObject({
      numRecords: 1,
      minValues: { id: 2, amount: 2.25, at: "2024-01-01T00:00:02.000Z" },
      maxValues: { id: 2, amount: 2.25, at: "2024-01-01T00:00:02.000Z" },
      nullCount: { id: 0, amount: 0, at: 0 },
    });

    const replaced = [row(9, "z", "2025-05-05")];
    expect((await table.overwrite({ rows: replaced }, { provenance })).version).toBe(3);
    const after = await table.scan();
    expect(await canonicalRows(session, after.sql)).toEqual(await canonicalInput(replaced));
    await after.dispose();

    const history = await table.history();
    expect(history.map((h) => [h.version, h.operation])).toEqual([
      [3, "WRITE"],
      [2, "WRITE"],
      [1, "WRITE"],
      [0, "CREATE TABLE"],
    ]);
    expect(history[0]?.provenance).toEqual(provenance);
    expect(history[0]?.commitInfo?.operationParameters).toEqual({
      mode: "Overwrite",
      partitionBy: "[]",
    });

    // Time travel by timestamp: the instant of version 1 reads version 1.
    const atV1 = history.find((h) => h.version === 1)?.timestamp as Date;
    expect((await table.snapshot({ timestamp: atV1 })).version).toBe(1);
    expect((await table.snapshot({ timestamp: new Date(Date.now() + 60_000) })).version).toBe(3);
    await expect(table.snapshot({ timestamp: new Date(0) })).rejects.toMatchObject({
      code: "DELTA_VERSION_NOT_FOUND",
    });
    await table.close();
  });

  it("writes a checkpoint every N commits that replaces the JSON commits before it", async () => {
    const table = await tableAt("checkpointed");
    await table.create({ schema, partitionColumns: ["letter"], provenance });
    const all: ReturnType<typeof row>[] = [];
    let last = { version: 0, checkpointed: false };
    for (let i = 1; i <= 4; i++) {
      const rows = [row(i, i % 2 === 0 ? "even" : "odd", "2024-02-02")];
      all.push(...rows);
      last = await table.append({ rows }, { provenance });
      expect(last.checkpointed).toBe(last.version === 3);
    }
    const log = join(root, "lake/checkpointed/_delta_log");
    expect(await readdir(log)).toContain("00000000000000000003.checkpoint.parquet");
    expect(JSON.parse(await readFile(join(log, "_last_checkpoint"), "utf8"))).toMatchObject({
      version: 3,
      numOfAddFiles: 3,
    });
    // Without the JSON commits up to the checkpoint, the state comes from it alone.
    const copy = join(root, "checkpoint-only");
    await cp(join(root, "lake/checkpointed"), copy, { recursive: true });
    for (let v = 0; v <= 3; v++)
      await rm(join(copy, "_delta_log", `${String(v).padStart(20, "0")}.json`));
    await writeFile(join(copy, "_delta_log", "_last_checkpoint"), "{not json");
    const reread = openDeltaTable({ store: createLocalObjectStore({ root: copy }), location: "" });
    const snapshot = await reread.snapshot();
    expect(snapshot.version).toBe(4);
    expect(snapshot.checkpointVersion).toBe(3);
    expect(snapshot.files.every((f) => f.stats?.numRecords === 1)).toBe(true);
    const scan = await reread.scan({ snapshot });
    expect(await canonicalRows(session, scan.sql)).toEqual(await canonicalInput(all));
    await scan.dispose();
    await expect(reread.snapshot({ version: 2 })).rejects.toMatchObject({
      code: "DELTA_VERSION_NOT_FOUND",
    });
    await reread.close();
    await table.close();
  });

  it("retries racing blind appends so that every one lands", async () => {
    const table = await tableAt("racing");
    await table.create({ schema, partitionColumns: [], provenance });
    const writers = Array.from({ length: 6 }, () => tableAt("racing"));
    const results = await Promise.all(
      writers.map(async (writer, i) =>
        (await writer).append({ rows: [row(i, "r", null)] }, { provenance }),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const rows = await table.readRows();
    expect(rows.rows.map((r) => r.id).sort()).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(rows.columns.map((c) => c.name)).toEqual(schema.fields.map((f) => f.name));
    for (const writer of writers) await (await writer).close();
    await table.close();
  });

  it("fails an overwrite that raced another write, and a second create", async () => {
    const table = await tableAt("conflicts");
    await table.create({ schema, provenance });
    await table.append({ rows: [row(1, "a", null)] }, { provenance });
    const read = await table.snapshot();
    await table.append({ rows: [row(2, "b", null)] }, { provenance });
    await expect(
      table.commit({
        operation: "overwrite",
        add: [],
        remove: read.files.map((f) => f.path),
        expectedVersion: read.version,
        provenance,
      }),
    ).rejects.toBeInstanceOf(DeltaConcurrentModificationError);
    // The race for real: whichever lost must fail, and no append may vanish unseen.
    const outcomes = await Promise.allSettled([
      table.overwrite({ rows: [row(3, "c", null)] }, { provenance }),
      (await tableAt("conflicts")).append({ rows: [row(4, "d", null)] }, { provenance }),
    ]);
    const ids = (await table.readRows()).rows.map((r) => r.id).sort();
    if (outcomes[0].status === "rejected") {
      expect(outcomes[0].reason).toBeInstanceOf(DeltaConcurrentModificationError);
      expect(ids).toEqual([1n, 2n, 4n]);
    } else {
      expect([[3n], [3n, 4n]]).toContainEqual(ids);
    }
    await expect(table.create({ schema, provenance })).rejects.toMatchObject({
      code: "DELTA_TABLE_EXISTS",
    });
    await table.close();
  });

  it("names data files by content, so identical writes give identical files", async () => {
    const a = await tableAt("same-a");
    const b = await tableAt("same-b");
    for (const t of [a, b]) {
      await t.create({ schema, partitionColumns: ["letter"], provenance });
      await t.append({ rows: [row(1, "x", "2024-01-01"), row(2, "y", null)] }, { provenance });
    }
    const files = async (t: typeof a) =>
      (await t.snapshot()).files.map((f) => [f.path, f.sizeBytes]).sort();
    expect(await files(a)).toEqual(await files(b));
    // The same rows again in one table must not collide with the first file.
    await a.append({ rows: [row(1, "x", "2024-01-01")] }, { provenance });
    expect((await a.snapshot()).files).toHaveLength(3);
    expect((await a.readRows()).rows).toHaveLength(3);
    await a.close();
    await b.close();
  });

  it("refuses what it cannot write correctly", async () => {
    const table = await tableAt("refusals");
    await expect(
      table.create({
        schema: { fields: [{ name: "t", type: "timestamp_ntz", nullable: true }] },
        provenance,
      }),
    ).rejects.toBeInstanceOf(DeltaUnsupportedFeatureError);
    await table.create({ schema, provenance, properties: { "delta.appendOnly": "true" } });
    await table.append({ rows: [row(1, "a", null)] }, { provenance });
    await expect(table.overwrite({ rows: [] }, { provenance })).rejects.toBeInstanceOf(DeltaError);
    await expect(
      table.append({ rows: [{ ...row(2, "a", null), id: null }] }, { provenance }),
    ).rejects.toMatchObject({
      code: "DELTA_INVALID_ARGUMENT",
    });
    await table.close();
  });

  it("reads through a store that is not a local directory (temporary copies)", async () => {
    const local = createLocalObjectStore({ root });
    // A real store whose URIs are not file://, as S3's are: the reader must download.
    const remote: ObjectStore = {
      get: (key, o) => local.get(key, o),
      put: (key, d, o) => local.put(key, d, o),
      putIfAbsent: (key, d, o) => local.putIfAbsent(key, d, o),
      list: (prefix, o) => local.list(prefix, o),
      delete: (key, o) => local.delete(key, o),
      stat: (key, o) => local.stat(key, o),
      uri: (key) => `mem://bucket/${key}`,
    };
    const table = await tableAt("remote", remote);
    await table.create({ schema, partitionColumns: ["day"], provenance });
    const rows = [row(1, "a", "2024-03-03"), row(2, "b", null)];
    for (let i = 0; i < 3; i++) await table.append({ rows }, { provenance });
    const snapshot = await table.snapshot();
    expect(snapshot.checkpointVersion).toBe(3);
    const scan = await table.scan({ snapshot });
    expect(await canonicalRows(session, scan.sql)).toEqual(
      await canonicalInput([...rows, ...rows, ...rows]),
    );
    await scan.dispose();
    await table.close();
  });
});

describe("createDeltaTableFormat (the TableFormat port)", () => {
  it("answers undefined for a missing table and commits files written elsewhere", async () => {
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store });
    expect(tables.format).toBe("delta");
    expect(await tables.snapshot({ location: "lake/none" })).toBeUndefined();
    const ref = { location: "lake/port" };
    expect(
      (await tables.commit(ref, { operation: "create", add: [], schema, provenance })).version,
    ).toBe(0);
    // A phase writes a Parquet file itself, then commits it.
    const file = "part-external.parquet";
    await session.run(
      `COPY (SELECT 7::BIGINT AS id, 'q' AS letter, DATE '2024-01-01' AS day, 1.5::DECIMAL(10,2) AS amount, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS at, ['x'] AS tags) TO '${join(root, "lake/port", file)}' (FORMAT parquet)`,
    );
    const size = (await store.stat(`lake/port/${file}`))?.size as number;
    const { version } = await tables.commit(ref, {
      operation: "append",
      add: [{ path: file, sizeBytes: size, recordCount: 1 }],
      provenance,
    });
    expect(version).toBe(1);
    const snapshot = await tables.snapshot(ref);
    expect(snapshot?.files).toMatchObject([{ path: file, sizeBytes: size, recordCount: 1 }]);
    expect((await tables.history(ref, { limit: 1 })).map((h) => [h.version, h.provenance])).toEqual(
      [[1, provenance]],
    );
    await expect(
      tables.commit(ref, { operation: "append", add: [], expectedVersion: 0, provenance }),
    ).rejects.toBeInstanceOf(DeltaConcurrentModificationError);
  });
});
