import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SqlRow, TableSchema } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it } from "vitest";
import { createDeltaLakehouse } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { rowSetDigestV2 } from "./row-set-digest-v2.js";

const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };

async function* batchesOf(rows: SqlRow[]): AsyncGenerator<SqlRow[]> {
  yield rows.slice(0, 7);
  yield rows.slice(7);
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
