import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, SqlRow, TableSchema } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { createDeltaLakehouse, createDeltaTableFormat } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { boundStore } from "./bound-store.js";
import { rowSetDigestV2 } from "./row-set-digest-v2.js";

const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };

async function* batchesOf(rows: SqlRow[]): AsyncGenerator<SqlRow[]> {
  yield rows.slice(0, 7);
  yield rows.slice(7);
}

/**
 * `local` as a store that is not a local directory (its URIs are not `file://`), so
 * that a table's files are downloaded to be read; each download of a data file is
 * counted.
 */
function remoteView(local: ObjectStore): { remote: ObjectStore; downloads: string[] } {
  const remote = boundStore(local);
  remote.uri = (key) => `memory://lake/${key}`;
  const downloads: string[] = [];
  remote.get = (key, options) => {
    if (key.endsWith(".parquet")) downloads.push(key);
    return local.get(key, options);
  };
  return { remote, downloads };
}

describe("DeltaLakehouse content hashes", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function lakeWith(schema: TableSchema, rows: SqlRow[], partitionColumns: string[]) {
    const root = await mkdtemp(join(tmpdir(), "controlroom-lakehouse-hash-"));
    dirs.push(root);
    const lake = createDeltaLakehouse({ store: createLocalObjectStore({ root }) });
    await lake.appendRows("t", batchesOf(rows), { schema, provenance, partitionColumns });
    return lake;
  }

  // The definition (format v2), computed apart from the lakehouse over a session view.
  async function reference(
    lake: ReturnType<typeof createDeltaLakehouse>,
    columns: string[],
    exclude: string[],
  ) {
    return lake.session({ t: { location: "t" } }, ({ engine }) =>
      rowSetDigestV2(engine, "t", columns, exclude),
    );
  }

  const rows = Array.from({ length: 40 }, (_, i) => ({
    id: i,
    label: i % 5 === 0 ? null : `label "${i}"\n\u0001 é 😀`,
    big: BigInt(2 ** 53) + BigInt(i),
    amount: i % 3 === 0 ? null : `${i * 1000}.${String(i).padStart(2, "0")}`,
    day: i % 4 === 0 ? null : `2024-0${(i % 9) + 1}-1${i % 10}`,
    at: new Date(Date.UTC(1969, 11, 31, 23, 59, 59, i * 7)),
    flag: i % 2 === 0,
    region: i % 3 === 0 ? "north" : "south",
    _ingested_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  }));
  const fields: TableSchema["fields"] = [
    { name: "id", type: "integer", nullable: false },
    { name: "label", type: "string", nullable: true },
    { name: "big", type: "long", nullable: true },
    { name: "amount", type: "decimal(18,2)", nullable: true },
    { name: "day", type: "date", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
    { name: "flag", type: "boolean", nullable: true },
    { name: "region", type: "string", nullable: true },
    { name: "_ingested_at", type: "timestamp", nullable: false },
  ];

  it("hashes a version whose older files lack a column added since, as a session view reads it", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-lakehouse-hash-"));
    dirs.push(root);
    const store = createLocalObjectStore({ root });
    const lake = createDeltaLakehouse({ store });
    try {
      const schema: TableSchema = { fields: [{ name: "id", type: "integer", nullable: true }] };
      await lake.appendRows("t", batchesOf(rows.map((row) => ({ id: row.id }))), {
        schema,
        provenance,
      });
      // The schema gains a column that the file already written lacks.
      const tables = createDeltaTableFormat({ store });
      await tables.commit(
        { location: "t" },
        {
          operation: "append",
          add: [],
          schema: { fields: [...schema.fields, { name: "note", type: "string", nullable: true }] },
          provenance,
        },
      );
      const expected = await reference(lake, ["id", "note"], []);
      expect(await lake.contentHash({ location: "t" })).toMatchObject({
        sha256: expected.sha256,
        rowCount: 40,
        version: 1,
      });
      const inSession = await lake.session({}, async (session) =>
        session.contentHash?.({ location: "t", version: 1 }),
      );
      expect(inSession?.sha256).toBe(expected.sha256);
      // Beside other views, created together: the one whose files lack `note` still
      // reads it as NULL, and the others as they are.
      await lake.appendRows("u", batchesOf([{ id: 1 }]), { schema, provenance });
      const read = await lake.session(
        { a: { location: "u" }, t: { location: "t" }, z: { location: "u" } },
        async ({ engine }) =>
          (
            await engine.query(
              "SELECT (SELECT count(*) FROM t WHERE note IS NULL) AS nulls, (SELECT count(*) FROM a) + (SELECT count(*) FROM z) AS others",
            )
          ).rows,
      );
      expect(read).toEqual([{ nulls: 40n, others: 2n }]);
    } finally {
      await lake.close();
    }
  });

  it("downloads a remote table's files once when its hash falls back to the files' columns", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-lakehouse-hash-"));
    dirs.push(root);
    const local = createLocalObjectStore({ root });
    const schema: TableSchema = { fields: [{ name: "id", type: "integer", nullable: true }] };
    const writer = createDeltaLakehouse({ store: local });
    let expected: string;
    try {
      await writer.appendRows("t", batchesOf(rows.map((row) => ({ id: row.id }))), {
        schema,
        provenance,
      });
      // A column added since the file was written: the hash's first statement fails.
      await createDeltaTableFormat({ store: local }).commit(
        { location: "t" },
        {
          operation: "append",
          add: [],
          schema: { fields: [...schema.fields, { name: "note", type: "string", nullable: true }] },
          provenance,
        },
      );
      expected = (await reference(writer, ["id", "note"], [])).sha256;
    } finally {
      await writer.close();
    }
    // The same bytes behind a store that is not a local directory.
    const { remote, downloads } = remoteView(local);
    const lake = createDeltaLakehouse({ store: remote });
    try {
      const hash = await lake.contentHash({ location: "t" });
      expect(hash).toMatchObject({ rowCount: 40, version: 1 });
      expect(hash.sha256).toBe(expected);
      expect(downloads).toHaveLength(1);
    } finally {
      await lake.close();
    }
  });

  for (const [title, extra] of [
    ["decimals, dates, timestamps, strings, partitions", []],
    ["a double column", [{ name: "ratio", type: "double", nullable: true }]],
  ] as const) {
    it(`gives the v2 digest of its rows from the lakehouse and from a session: ${title}`, async () => {
      const schema = { fields: [...fields, ...extra] };
      const data = rows.map((row) => ({
        ...row,
        ...(extra.length > 0 ? { ratio: row.id / 3 } : {}),
      }));
      const lake = await lakeWith(schema, data, ["region"]);
      try {
        for (const exclude of [[], ["_ingested_at"], schema.fields.map((f) => f.name)]) {
          const expected = await reference(
            lake,
            schema.fields.map((f) => f.name),
            exclude,
          );
          const options = { excludeColumns: exclude };
          const fromLake = await lake.contentHash({ location: "t" }, options);
          expect(fromLake).toEqual({ ...expected, version: 0 });
          const fromSession = await lake.session({}, async (session) =>
            Promise.all([
              session.contentHash?.({ location: "t", version: 0 }, options),
              session.contentHash?.({ location: "t" }, options),
            ]),
          );
          expect(fromSession).toEqual([fromLake, fromLake]);
        }
      } finally {
        await lake.close();
      }
    });
  }
});

describe("DeltaLakehouse writes that hash what they write", () => {
  it("gives the committed version's hash from the files written, none for an append, and downloads nothing", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-lakehouse-write-hash-"));
    // A store that is not a local directory: reading a table's files back means
    // downloading them.
    const { remote, downloads } = remoteView(createLocalObjectStore({ root }));
    const lake = createDeltaLakehouse({ store: remote });
    const rowsSql = (from: number, to: number) =>
      `SELECT range::INTEGER AS id,
        CASE WHEN range % 5 = 0 THEN NULL ELSE 'label ' || range END AS label,
        (range * 1.25)::DECIMAL(18,2) AS amount,
        DATE '2024-01-01' + range::INTEGER AS day,
        [range, range + 1] AS pair,
        CASE WHEN range % 3 = 0 THEN 'north' ELSE 'south' END AS region,
        now() AS _ingested_at
      FROM range(${from}, ${to})`;
    const contentHash = { excludeColumns: ["_ingested_at"] };
    try {
      const written = await lake.session({}, async (session) => {
        const write = (
          location: string,
          sql: string,
          mode: "append" | "overwrite",
          partitionColumns?: string[],
        ) => session.writeQuery(location, sql, { mode, provenance, partitionColumns, contentHash });
        return [
          await write("plain", rowsSql(0, 40), "overwrite"),
          await write("plain", rowsSql(10, 70), "overwrite"),
          await write("plain", rowsSql(70, 75), "append"),
          await write("parted", rowsSql(0, 40), "overwrite", ["region"]),
          await write("parted", `${rowsSql(0, 40)} WHERE false`, "overwrite"),
        ];
      });
      expect(downloads).toEqual([]);
      expect(written.map((w) => [w.location, w.version, w.contentHash?.rowCount])).toEqual([
        ["plain", 0, 40],
        ["plain", 1, 60],
        ["plain", 2, undefined],
        ["parted", 0, 40],
        ["parted", 1, 0],
      ]);
      // Each hash is the one the lakehouse computes for that version, read back.
      for (const w of written.filter((w) => w.contentHash !== undefined)) {
        const version = w.version as number;
        const readBack = await lake.contentHash({ location: w.location, version }, contentHash);
        expect(w.contentHash).toEqual(readBack);
      }
      expect(downloads.length).toBeGreaterThan(0);
    } finally {
      await lake.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
